package prompts

import "github.com/tidwall/gjson"

func jsonString(raw []byte, path string) string { return gjson.GetBytes(raw, path).String() }
