// Package connectors is the sandbox's connector-type catalogue, served by GET /v1/connection-types:
// a realistic subset of the platform's 270+ descriptors, which POST and PUT /v1/connections
// validate against, and the kinds of connection type (API, file storage) the run log and the
// documentation describe differently. Only SQLite and the local folder are real in the sandbox;
// every other type is simulated. Only sandbox and its internal packages can import it.
package connectors

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// Property describes one property of a connection type.
type Property struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
	Secret   bool   `json:"secret"`
}

// Type is one connector descriptor. OAuthProvider names the "Sign in with …" provider of a
// pre-configured connector (google, microsoft, salesforce, hubspot); it is omitted for the others.
type Type struct {
	Type          string     `json:"type"`
	Name          string     `json:"name"`
	Category      string     `json:"category"`
	OAuthProvider string     `json:"oauthProvider,omitempty"`
	Properties    []Property `json:"properties"`
}

// Connection-type categories.
const (
	CatDatabase = "database"
	CatFile     = "file"
	CatAPI      = "api"
	CatQueue    = "queue"
	CatSaaS     = "saas"
)

var categories = []string{CatDatabase, CatFile, CatAPI, CatQueue, CatSaaS}

// PropTemplate prefixes every connection property key of the catalogue.
const PropTemplate = "field.connection.template."

// Property builders: required, optional, and secret (required or not).
func pReq(key, label string) Property {
	return Property{Key: PropTemplate + key, Label: label, Required: true}
}
func pOpt(key, label string) Property { return Property{Key: PropTemplate + key, Label: label} }
func pSecret(key, label string, required bool) Property {
	return Property{Key: PropTemplate + key, Label: label, Required: required, Secret: true}
}

// Property sets several types share.
func pHostPort(port string) []Property {
	return []Property{pReq("host", "Host"), pOpt("port", "Port (default "+port+")")}
}

func pLogin() []Property {
	return []Property{pReq("user", "User"), pSecret("password", "Password", false)}
}

func pAWSKeys() []Property {
	return []Property{pReq("region", "Region"), pSecret("accessKey", "Access key ID", true),
		pSecret("secretKey", "Secret access key", true)}
}

func pGroups(groups ...[]Property) []Property { return slices.Concat(groups...) }

func pList(p ...Property) []Property { return p }

// catalogue returns the catalogue, grouped by category; it is built on first use so start-up does
// not pay for it.
var catalogue = sync.OnceValue(func() []Type {
	refreshTokenProp := pSecret("refreshToken", "Refresh token (set by Sign in)", false)
	return []Type{
		{Type: "connection.db.postgres", Name: "PostgreSQL", Category: CatDatabase,
			Properties: pGroups(pHostPort("5432"), pList(pReq("database", "Database")), pLogin(), pList(pOpt("sslMode", "SSL mode")))},
		{Type: "connection.db.mysql", Name: "MySQL", Category: CatDatabase,
			Properties: pGroups(pHostPort("3306"), pList(pReq("database", "Database")), pLogin())},
		{Type: "connection.db.mariadb", Name: "MariaDB", Category: CatDatabase,
			Properties: pGroups(pHostPort("3306"), pList(pReq("database", "Database")), pLogin())},
		{Type: "connection.db.sqlserver", Name: "Microsoft SQL Server", Category: CatDatabase,
			Properties: pGroups(pHostPort("1433"), pList(pReq("database", "Database")), pLogin(), pList(pOpt("domain", "Windows domain")))},
		{Type: "connection.db.oracle", Name: "Oracle", Category: CatDatabase,
			Properties: pGroups(pHostPort("1521"), pList(pReq("serviceName", "Service name or SID")), pLogin())},
		{Type: "connection.db.snowflake", Name: "Snowflake", Category: CatDatabase,
			Properties: pGroups(pList(pReq("account", "Account identifier"), pReq("warehouse", "Warehouse"), pReq("database", "Database"),
				pOpt("schema", "Schema"), pOpt("role", "Role")), pLogin(), pList(pSecret("privateKey", "Private key (key-pair auth)", false)))},
		{Type: "connection.db.redshift", Name: "Amazon Redshift", Category: CatDatabase,
			Properties: pGroups(pHostPort("5439"), pList(pReq("database", "Database")), pLogin())},
		{Type: "connection.db.bigquery", Name: "Google BigQuery", Category: CatDatabase, OAuthProvider: "google",
			Properties: pList(pReq("projectId", "Project ID"), pOpt("dataset", "Default dataset"),
				pSecret("serviceAccountKey", "Service account key (JSON)", false), refreshTokenProp)},
		{Type: model.TypeSQLite, Name: "SQLite", Category: CatDatabase,
			Properties: pGroups(pList(pReq("database", "Database file")), pList(pOpt("user", "User"), pSecret("password", "Password", false)))},
		{Type: "connection.db.db2", Name: "IBM Db2", Category: CatDatabase,
			Properties: pGroups(pHostPort("50000"), pList(pReq("database", "Database")), pLogin())},
		{Type: "connection.db.databricks", Name: "Databricks SQL", Category: CatDatabase,
			Properties: pList(pReq("host", "Server hostname"), pReq("httpPath", "HTTP path"), pSecret("token", "Personal access token", true))},
		{Type: "connection.db.synapse", Name: "Azure Synapse Analytics", Category: CatDatabase,
			Properties: pGroups(pHostPort("1433"), pList(pReq("database", "Database")), pLogin())},
		{Type: "connection.db.mongodb", Name: "MongoDB", Category: CatDatabase,
			Properties: pGroups(pHostPort("27017"), pList(pReq("database", "Database"), pOpt("authSource", "Authentication database"),
				pOpt("user", "User"), pSecret("password", "Password", false)))},

		{Type: model.TypeLocalFile, Name: "Server storage (local folder)", Category: CatFile,
			Properties: pList(pReq("folder", "Folder"))},
		{Type: "connection.sftp", Name: "SFTP", Category: CatFile,
			Properties: pGroups(pHostPort("22"), pList(pOpt("folder", "Folder"), pReq("user", "User"), pSecret("password", "Password", false),
				pSecret("privateKey", "Private key", false), pSecret("passphrase", "Private key passphrase", false)))},
		{Type: "connection.ftp", Name: "FTP", Category: CatFile,
			Properties: pGroups(pHostPort("21"), pList(pOpt("folder", "Folder")), pLogin(), pList(pOpt("passive", "Passive mode")))},
		{Type: "connection.ftps", Name: "FTPS", Category: CatFile,
			Properties: pGroups(pHostPort("990"), pList(pOpt("folder", "Folder")), pLogin())},
		{Type: "connection.s3", Name: "Amazon S3", Category: CatFile,
			Properties: pGroups(pList(pReq("bucket", "Bucket"), pOpt("folder", "Folder")), pAWSKeys())},
		{Type: "connection.azure.blob", Name: "Azure Blob Storage", Category: CatFile,
			Properties: pList(pReq("account", "Storage account"), pReq("container", "Container"), pOpt("folder", "Folder"),
				pSecret("accountKey", "Account key", false), pSecret("sasToken", "SAS token", false))},
		{Type: "connection.gcs", Name: "Google Cloud Storage", Category: CatFile,
			Properties: pList(pReq("bucket", "Bucket"), pOpt("folder", "Folder"), pReq("projectId", "Project ID"),
				pSecret("serviceAccountKey", "Service account key (JSON)", true))},
		{Type: "connection.file.box", Name: "Box", Category: CatFile,
			Properties: pList(pOpt("folder", "Folder"), pReq("clientId", "Client ID"), pSecret("clientSecret", "Client secret", true),
				pReq("enterpriseId", "Enterprise ID"))},
		{Type: "connection.file.dropbox", Name: "Dropbox", Category: CatFile,
			Properties: pList(pOpt("folder", "Folder"), pSecret("accessToken", "Access token", true))},
		{Type: "connection.file.googledrive", Name: "Google Drive", Category: CatFile, OAuthProvider: "google",
			Properties: pList(pOpt("folder", "Folder"), refreshTokenProp)},
		{Type: "connection.file.onedrive", Name: "OneDrive for Business", Category: CatFile, OAuthProvider: "microsoft",
			Properties: pList(pOpt("folder", "Folder"), pOpt("driveId", "Drive ID"), refreshTokenProp)},
		{Type: "connection.file.sharepoint", Name: "SharePoint", Category: CatFile, OAuthProvider: "microsoft",
			Properties: pList(pReq("site", "Site URL"), pOpt("library", "Document library"), pOpt("folder", "Folder"), refreshTokenProp)},

		{Type: "connection.http", Name: "HTTP", Category: CatAPI,
			Properties: pList(pReq("url", "URL"), pOpt("method", "Method"), pOpt("authType", "Authentication (none, basic, header, oauth2)"),
				pOpt("user", "User"), pSecret("password", "Password", false), pSecret("token", "Token or API key", false),
				pOpt("headers", "Headers"), refreshTokenProp)},
		{Type: "connection.http.graphql", Name: "GraphQL", Category: CatAPI,
			Properties: pList(pReq("url", "Endpoint URL"), pOpt("authType", "Authentication"), pSecret("token", "Token", false), refreshTokenProp)},
		{Type: "connection.http.soap", Name: "SOAP web service", Category: CatAPI,
			Properties: pList(pReq("url", "WSDL URL"), pOpt("soapAction", "SOAP action"), pOpt("user", "User"), pSecret("password", "Password", false))},
		{Type: "connection.http.odata", Name: "OData", Category: CatAPI,
			Properties: pList(pReq("url", "Service root URL"), pOpt("user", "User"), pSecret("password", "Password", false))},

		{Type: "connection.queue.kafka", Name: "Apache Kafka", Category: CatQueue,
			Properties: pList(pReq("bootstrapServers", "Bootstrap servers"), pReq("topic", "Topic"), pOpt("groupId", "Consumer group"),
				pOpt("securityProtocol", "Security protocol"), pOpt("saslUser", "SASL user"), pSecret("saslPassword", "SASL password", false))},
		{Type: "connection.queue.rabbitmq", Name: "RabbitMQ", Category: CatQueue,
			Properties: pGroups(pHostPort("5672"), pList(pOpt("virtualHost", "Virtual host"), pReq("queue", "Queue")), pLogin())},
		{Type: "connection.queue.sqs", Name: "Amazon SQS", Category: CatQueue,
			Properties: pGroups(pList(pReq("queueUrl", "Queue URL")), pAWSKeys())},
		{Type: "connection.queue.pubsub", Name: "Google Cloud Pub/Sub", Category: CatQueue,
			Properties: pList(pReq("projectId", "Project ID"), pReq("topic", "Topic"), pOpt("subscription", "Subscription"),
				pSecret("serviceAccountKey", "Service account key (JSON)", true))},
		{Type: "connection.queue.azureservicebus", Name: "Azure Service Bus", Category: CatQueue,
			Properties: pList(pSecret("connectionString", "Connection string", true), pReq("queue", "Queue or topic"))},
		{Type: "connection.queue.activemq", Name: "ActiveMQ", Category: CatQueue,
			Properties: pList(pReq("url", "Broker URL"), pReq("queue", "Queue"), pOpt("user", "User"), pSecret("password", "Password", false))},

		{Type: "connection.api.salesforce", Name: "Salesforce", Category: CatSaaS, OAuthProvider: "salesforce",
			Properties: pList(pOpt("instanceUrl", "Instance URL"), pOpt("apiVersion", "API version"), refreshTokenProp)},
		{Type: "connection.api.hubspot", Name: "HubSpot", Category: CatSaaS, OAuthProvider: "hubspot",
			Properties: pList(pSecret("accessToken", "Private app token (instead of Sign in)", false), refreshTokenProp)},
		{Type: "connection.api.googlesheets", Name: "Google Sheets", Category: CatSaaS, OAuthProvider: "google",
			Properties: pList(pReq("spreadsheetId", "Spreadsheet ID"), refreshTokenProp)},
		{Type: "connection.api.googleanalytics", Name: "Google Analytics 4", Category: CatSaaS, OAuthProvider: "google",
			Properties: pList(pReq("propertyId", "Property ID"), refreshTokenProp)},
		{Type: "connection.api.dynamics365", Name: "Microsoft Dynamics 365", Category: CatSaaS, OAuthProvider: "microsoft",
			Properties: pList(pReq("url", "Environment URL"), refreshTokenProp)},
		{Type: "connection.api.shopify", Name: "Shopify", Category: CatSaaS,
			Properties: pList(pReq("shop", "Shop domain"), pOpt("apiVersion", "API version"), pSecret("token", "Admin API access token", true))},
		{Type: "connection.api.netsuite", Name: "NetSuite", Category: CatSaaS,
			Properties: pList(pReq("account", "Account ID"), pSecret("consumerKey", "Consumer key", true), pSecret("consumerSecret", "Consumer secret", true),
				pSecret("tokenId", "Token ID", true), pSecret("tokenSecret", "Token secret", true))},
		{Type: "connection.api.zendesk", Name: "Zendesk", Category: CatSaaS,
			Properties: pList(pReq("subdomain", "Subdomain"), pReq("user", "Agent e-mail"), pSecret("apiToken", "API token", true))},
		{Type: "connection.api.stripe", Name: "Stripe", Category: CatSaaS,
			Properties: pList(pSecret("apiKey", "Secret API key", true))},
		{Type: "connection.api.jira", Name: "Jira Cloud", Category: CatSaaS,
			Properties: pList(pReq("url", "Site URL"), pReq("user", "User e-mail"), pSecret("apiToken", "API token", true))},
	}
})

// Lookup returns the descriptor of a type id.
func Lookup(id string) (Type, bool) {
	cat := catalogue()
	i := slices.IndexFunc(cat, func(t Type) bool { return t.Type == id })
	if i < 0 {
		return Type{}, false
	}
	return cat[i], true
}

// Property returns the descriptor of one property key of the type.
func (t Type) Property(key string) (Property, bool) {
	i := slices.IndexFunc(t.Properties, func(p Property) bool { return p.Key == key })
	if i < 0 {
		return Property{}, false
	}
	return t.Properties[i], true
}

// IsSecretProperty reports whether a property of a connection of type typeID holds a secret: the
// descriptor says so, or the key looks like one (so unknown extra keys are masked too).
func IsSecretProperty(typeID, key string) bool {
	if t, ok := Lookup(typeID); ok {
		if p, ok := t.Property(key); ok && p.Secret {
			return true
		}
	}
	return model.IsSecretKey(key)
}

// UnknownTypeMessage is the message of the 400 for a connectionType that is not in the catalogue; it
// suggests the types whose id or name contains the last part of what was sent.
func UnknownTypeMessage(id string) string {
	hint := id[strings.LastIndex(id, ".")+1:]
	var close []string
	for _, t := range catalogue() {
		if hint != "" && (strings.Contains(strings.ToLower(t.Type), strings.ToLower(hint)) ||
			strings.Contains(strings.ToLower(t.Name), strings.ToLower(hint))) {
			close = append(close, t.Type)
		}
	}
	msg := fmt.Sprintf("Field 'connectionType': unknown type '%s'; GET /v1/connection-types lists the %d known types", id, len(catalogue()))
	if len(close) > 0 {
		msg += "; did you mean " + strings.Join(close, ", ") + "?"
	}
	return msg
}

// PropRefreshToken is where an OAuth sign-in stores its refresh token.
const PropRefreshToken = PropTemplate + "refreshToken"

// Types returns the catalogue in its fixed order, for GET /v1/connection-types; the caller gets its
// own copy of the list.
func Types() []Type { return slices.Clone(catalogue()) }

// Categories returns the category names a type can have, for the category filter of that endpoint.
func Categories() []string { return slices.Clone(categories) }
