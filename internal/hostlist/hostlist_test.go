package hostlist

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	got, err := Normalize([]string{" Hooks.Example.com ", "*.corp.example.com:8443", "10.0.0.7:9000", "[::1]", "::1", "localhost."})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hooks.example.com", "*.corp.example.com:8443", "10.0.0.7:9000", "[::1]", "[::1]", "localhost"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, tc := range []struct{ in, reason string }{
		{"*", "bare wildcard"},
		{"*:443", "bare wildcard"},
		{"https://hooks.example.com", "not a URL"},
		{"hooks.example.com/path", "not a URL"},
		{"user@hooks.example.com", "not a URL"},
		{"hooks.example.com:0", "port"},
		{"hooks.example.com:http", "port"},
		{"hooks.example.com:", "port"},
		{"*.10.0.0.1", "not an IP"},
		{"*.com", "wildcard only"},
		{"a.*.example.com", "wildcard only"},
		{"bad..name", "host name"},
		{"", "empty"},
	} {
		_, err := Parse([]string{tc.in})
		if err == nil || !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), "*.example.com") {
			t.Errorf("Parse(%q) = %v, want an error mentioning %q and the allowed shapes", tc.in, err, tc.reason)
		}
	}
}

func TestAllowsURL(t *testing.T) {
	t.Parallel()
	l, err := Parse([]string{"hooks.example.com", "*.corp.example.com:8443", "127.0.0.1", "[::1]", "plain.example.org:80"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://hooks.example.com/x", true},
		{"https://HOOKS.example.com.:8080/x", true}, // no port in the entry: any port
		{"https://evil.example.com/x", false},
		{"https://hooks.example.com.evil.net/x", false},
		{"https://a.corp.example.com:8443/x", true},
		{"https://a.b.corp.example.com:8443/x", true},
		{"https://a.corp.example.com/x", false}, // 443, not 8443
		{"https://corp.example.com:8443/x", false},
		{"http://127.0.0.1:9/h", true},
		{"http://127.0.0.2/h", false},
		{"http://[::1]:8080/h", true},
		{"http://[0:0:0:0:0:0:0:1]/h", true},
		{"http://plain.example.org/h", true}, // default port 80
		{"https://plain.example.org/h", false},
		{"http://user:pw@hooks.example.com/h", true},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.AllowsURL(u); got != tc.want {
			t.Errorf("AllowsURL(%s) = %v, want %v", tc.url, got, tc.want)
		}
	}
	var none List
	if u, _ := url.Parse("http://127.0.0.1/"); none.AllowsURL(u) || !none.Empty() {
		t.Error("the zero List must allow nothing")
	}
}
