package model

import "strings"

// WithVars returns the transformation with the run's variables substituted into its objects and SQL.
func (tr Transformation) WithVars(vars map[string]string) Transformation {
	tr.Source.Object = substitute(tr.Source.Object, vars)
	tr.Source.SQL = substitute(tr.Source.SQL, vars)
	tr.Destination.Object = substitute(tr.Destination.Object, vars)
	return tr
}

// substitute replaces {name} tokens by the run's variables; unknown tokens stay as written.
func substitute(s string, vars map[string]string) string {
	if s == "" || len(vars) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, 2*len(vars))
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
