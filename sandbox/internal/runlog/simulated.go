package runlog

import (
	"cmp"
	"fmt"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// SimulatedFailure is the exception a remote connector of c's type raises.
func SimulatedFailure(c model.Connection, msg string) *Error {
	class, def, frame := "com.toolsverse.etl.exception.EtlException", "Connector error", "com.toolsverse.etl.connector.Connector.open(Connector.java:77)"
	switch {
	case connectors.IsAPI(c.ConnectionType):
		class, def = "com.toolsverse.etl.exception.EtlHttpException", fmt.Sprintf("HTTP 503 Service Unavailable returned by %s", c.Properties[model.PropURL])
		frame = "com.toolsverse.etl.connector.http.HttpConnector.execute(HttpConnector.java:612)"
	case c.ConnectionType == "connection.db.postgres":
		class, def = "org.postgresql.util.PSQLException", "FATAL: remaining connection slots are reserved for non-replication superuser connections"
		frame = "org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)"
	case c.ConnectionType == "connection.s3":
		class, def = "software.amazon.awssdk.services.s3.model.S3Exception", "Access Denied (Service: S3, Status Code: 403)"
		frame = "com.toolsverse.etl.connector.s3.S3Connector.put(S3Connector.java:241)"
	case c.ConnectionType == "connection.ftp":
		class, def = "java.net.ConnectException", fmt.Sprintf("Connection timed out (Connection timed out) connecting to %s:21", c.Properties[model.PropHost])
		frame = "org.apache.commons.net.SocketClient.connect(SocketClient.java:203)"
	}
	return &Error{Class: class, Message: cmp.Or(msg, def), Frames: append([]string{frame}, EngineFrames("execute")...)}
}
