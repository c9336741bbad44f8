package prose

import "testing"

func TestList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
		{[]string{"Monday", "Wednesday", "Friday", "Sunday"}, "Monday, Wednesday, Friday and Sunday"},
	} {
		if got := List(c.in); got != c.want {
			t.Errorf("List(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		limit int
		want  string
	}{
		{"SELECT *\n  FROM orders\n\tWHERE id = 1", 100, "SELECT * FROM orders WHERE id = 1"},
		{"SELECT * FROM orders", 6, "SELECT…"},
		{"  ", 10, ""},
	} {
		if got := OneLine(c.in, c.limit); got != c.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
}
