package client

// withMaxLogSize lowers the run-log download cap (32 MiB in production) so a test can reach it.
func withMaxLogSize(n int64) Option {
	return func(c *Client) error {
		c.maxLogSize = n
		return nil
	}
}

// withMaxBodySize lowers the JSON body limit (DefaultMaxBody in production) so a test can reach it.
func withMaxBodySize(n int64) Option {
	return func(c *Client) error {
		c.maxBody = n
		return nil
	}
}
