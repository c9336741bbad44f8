package secrets

import "strings"

// valueSet finds known secret values in a text with one pass: bigrams maps the first two bytes
// of each value to its group of candidates, checked longest first. It is immutable once built;
// a Redactor swaps in a new one when it learns a value.
type valueSet struct {
	seen    bigramSet // first two bytes of some value: a small bitset that stays in cache
	bigrams *[256][256]uint16
	groups  [][]string
	short   []string // values of fewer than two bytes never occur (MinValueLen), kept for safety
}

func newValueSet(values []string) *valueSet {
	vs := &valueSet{bigrams: new([256][256]uint16)}
	for _, v := range values {
		if len(v) < 2 {
			vs.short = append(vs.short, v)
			continue
		}
		g := vs.bigrams[v[0]][v[1]]
		if g == 0 {
			vs.groups = append(vs.groups, nil)
			g = uint16(len(vs.groups))
			vs.bigrams[v[0]][v[1]] = g
			vs.seen.add(v[0], v[1])
		}
		vs.groups[g-1] = append(vs.groups[g-1], v)
	}
	return vs
}

// replace returns s with every value replaced by Redacted.
func (vs *valueSet) replace(s string) string {
	var b *strings.Builder
	last := 0
	for i := 0; i+1 < len(s); i++ {
		if !vs.seen.has(s[i], s[i+1]) {
			continue
		}
		g := vs.bigrams[s[i]][s[i+1]]
		for _, v := range vs.groups[g-1] {
			if strings.HasPrefix(s[i:], v) {
				if b == nil {
					b = &strings.Builder{}
					b.Grow(len(s))
				}
				b.WriteString(s[last:i])
				b.WriteString(Redacted)
				last = i + len(v)
				i = last - 1
				break
			}
		}
	}
	if b == nil {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// bigramSet is a set of byte pairs in 8 KiB.
type bigramSet [1024]uint64

func (b *bigramSet) add(c, d byte) {
	i := uint(c)<<8 | uint(d)
	b[i>>6] |= 1 << (i & 63)
}

func (b *bigramSet) has(c, d byte) bool {
	i := uint(c)<<8 | uint(d)
	return b[i>>6]&(1<<(i&63)) != 0
}
