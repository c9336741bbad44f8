package model

import (
	"path/filepath"
	"strings"
)

// FileFormat returns the explicit format, or the one the object's extension implies (CSV by default).
func FileFormat(format, object string) string {
	if format != "" {
		return strings.ToUpper(format)
	}
	if strings.EqualFold(filepath.Ext(object), ".json") {
		return "JSON"
	}
	return "CSV"
}
