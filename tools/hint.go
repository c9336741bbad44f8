package tools

// toolCall is a follow-up call named in a result (its undo or next hint): valid JSON in the
// schemas' own names and syntax, so a model can send it as it stands instead of translating a
// pseudo-JSON sketch. Note says, in a few words, what the call does or what to add by hand.
type toolCall struct {
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
	Note      string         `json:"note,omitempty"`
}

// hint builds a toolCall from the tool's name and its arguments as key, value pairs.
func hint(tool string, note string, kv ...any) toolCall {
	args := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			args[k] = kv[i+1]
		}
	}
	return toolCall{Tool: tool, Arguments: args, Note: note}
}

// String renders the call as one line of JSON, for text results.
func (c toolCall) String() string { return plainJSON(c) }
