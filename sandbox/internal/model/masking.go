package model

// Mask replaces a secret wherever the sandbox shows one: connection properties, run parameters,
// audit payloads and webhook secrets, as the platform does.
const Mask = "********"

// MaskedValue hides a parameter value when its name looks like a secret.
func MaskedValue(key, value string) string {
	if IsSecretKey(key) {
		return Mask
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
