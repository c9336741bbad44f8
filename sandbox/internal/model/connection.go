package model

import "strings"

// Connection types the engine really executes; every other type is simulated.
const (
	TypeSQLite    = "connection.db.sqlite"
	TypeLocalFile = "connection.file.local"
)

// Connection property keys, following the naming of the connection descriptors Etlworks documents.
const (
	PropDatabase = "field.connection.template.database"
	PropFolder   = "field.connection.template.folder"
	PropUser     = "field.connection.template.user"
	PropPassword = "field.connection.template.password"
	PropHost     = "field.connection.template.host"
	PropURL      = "field.connection.template.url"
	PropBucket   = "field.connection.template.bucket"
)

// IsSecretKey reports whether a property or parameter name holds a secret, so it is masked in
// logs, audit payloads and (in a later issue) connection GETs.
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"password", "secret", "token", "apikey", "api_key", "accesskey", "privatekey"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
