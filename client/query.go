package client

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"time"
)

// queryOf encodes the options struct that opts points to as query parameters: each field tagged
// `query:"name"` is sent when set (a non-empty string, a positive number, a true bool, a non-nil
// *bool, a non-zero time as epoch milliseconds) and left out otherwise, and embedded structs
// (ListOptions) add theirs. It is the one rule for every list's filters; a nil opts sends nothing.
func queryOf(opts any) url.Values {
	q := url.Values{}
	v := reflect.ValueOf(opts)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return q
		}
		v = v.Elem()
	}
	addQuery(q, v)
	return q
}

// filtersOf is queryOf without paging: a scan pages by itself.
func filtersOf(opts any) url.Values {
	q := queryOf(opts)
	q.Del("limit")
	q.Del("offset")
	return q
}

func addQuery(q url.Values, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if f.Anonymous && fv.Kind() == reflect.Struct {
			addQuery(q, fv)
			continue
		}
		name := f.Tag.Get("query")
		if name == "" {
			continue
		}
		if s, ok := queryValue(fv); ok {
			q.Set(name, s)
		}
	}
}

// queryValue is the text of one field and whether it is set.
func queryValue(v reflect.Value) (string, bool) {
	if t, ok := v.Interface().(time.Time); ok {
		return itoa(t.UnixMilli()), !t.IsZero()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), v.String() != ""
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), v.Int() > 0
	case reflect.Bool:
		return "true", v.Bool()
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Bool {
			if v.IsNil() {
				return "", false
			}
			return strconv.FormatBool(v.Elem().Bool()), true
		}
	}
	panic(fmt.Sprintf("client: query field of kind %s", v.Kind())) // a bug in an options struct
}
