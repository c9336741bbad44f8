package model

// MaskedValue hides a parameter value when its name looks like a secret.
func MaskedValue(key, value string) string {
	if IsSecretKey(key) {
		return "********"
	}
	return value
}

// MaskedParams returns a copy of vars safe for audit payloads.
func MaskedParams(vars map[string]string) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		out[k] = MaskedValue(k, v)
	}
	return out
}
