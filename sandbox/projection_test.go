package sandbox

import "testing"

func TestOmitFields(t *testing.T) {
	omit := []string{"createdAt", "lastRunAt"}
	cases := []struct {
		in, want string
		ok       bool
	}{
		{`{"id":1,"createdAt":5,"name":"a\u003cb","nested":{"createdAt":7},"big":12345678901234567890}`,
			`{"id":1,"name":"a\u003cb","nested":{"createdAt":7},"big":12345678901234567890}` + "\n", true},
		{`[{"lastRunAt":null,"id":2},{"id":3,"createdAt":1},[{"createdAt":1}],4]`,
			`[{"id":2},{"id":3},[{"createdAt":1}],4]` + "\n", true},
		{`{}`, "{}\n", true},
		{`[]`, "[]\n", true},
		{`"text"`, "", false},
		{`{"id":`, "", false},
		{``, "", false},
	}
	for _, tc := range cases {
		got, ok := omitFields([]byte(tc.in), omit)
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("omitFields(%s) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
