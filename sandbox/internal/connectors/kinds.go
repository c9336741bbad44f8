package connectors

import "strings"

// IsAPI reports whether a connection type is an HTTP/SaaS API.
func IsAPI(connectionType string) bool {
	return strings.HasPrefix(connectionType, "connection.http") || strings.HasPrefix(connectionType, "connection.api")
}

// IsFileStorage reports whether a connection type is a file store (local folder, S3, FTP…).
func IsFileStorage(connectionType string) bool {
	for _, p := range []string{"connection.file.", "connection.s3", "connection.ftp", "connection.sftp", "connection.gcs", "connection.azure"} {
		if strings.HasPrefix(connectionType, p) {
			return true
		}
	}
	return false
}
