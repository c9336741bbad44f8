package quartz

import "testing"

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{"0 0 2 * * ?", "every day at 02:00"},
		{"0 0 2 ? * *", "every day at 02:00"},
		{"0 0 2 * * ? *", "every day at 02:00"},
		{"0 */5 * * * ?", "every 5 minutes"},
		{"0 0/15 * * * ?", "every 15 minutes"},
		{"0 * * * * ?", "every minute"},
		{"*/30 * * * * ?", "every 30 seconds"},
		{"* * * * * ?", "every second"},
		{"0 30 1 ? * MON-FRI", "at 01:30 on Monday to Friday"},
		{"0 30 1 ? * mon-fri", "at 01:30 on Monday to Friday"},
		{"0 30 1 ? * 2-6", "at 01:30 on Monday to Friday"},
		{"0 0 9 ? * MON", "at 09:00 on Monday"},
		{"0 0 10 ? * SAT,SUN", "at 10:00 on Saturday and Sunday"},
		{"0 0 10 ? * MON,WED,FRI", "at 10:00 on Monday, Wednesday and Friday"},
		{"0 0 22 ? * FRI-MON", "at 22:00 on Friday to Monday"},
		{"0 0 6,18 * * ?", "every day at 06:00 and 18:00"},
		{"30 15 6 * * ?", "every day at 06:15:30"},
		{"0 0 * * * ?", "every hour"},
		{"0 15 * * * ?", "every hour at minute 15"},
		{"0 0 */2 * * ?", "every 2 hours"},
		{"0 30 */4 * * ?", "every 4 hours at minute 30"},
		{"0 0/10 9-17 ? * MON-FRI", "every 10 minutes from 09:00 to 17:59 on Monday to Friday"},
		{"0 0 9-17 * * ?", "every hour at minute 0 from 09:00 to 17:00"},
		{"0 0 8 1 * ?", "at 08:00 on day 1 of every month"},
		{"0 0 8 1,15 * ?", "at 08:00 on days 1 and 15 of every month"},
		{"0 0 8 1-7 * ?", "at 08:00 on days 1 to 7 of every month"},
		{"0 0 12 L * ?", "at 12:00 on the last day of every month"},
		{"0 0 12 L-2 * ?", "at 12:00 2 days before the last day of every month"},
		{"0 0 12 LW * ?", "at 12:00 on the last weekday of every month"},
		{"0 0 7 15W * ?", "at 07:00 on the weekday nearest day 15 of every month"},
		{"0 0 10 ? * 6#3", "at 10:00 on the third Friday of the month"},
		{"0 0 10 ? * FRIL", "at 10:00 on the last Friday of the month"},
		{"0 0 10 ? * L", "at 10:00 on Saturday"},
		{"0 0 0 1 1 ?", "at 00:00 on day 1 in January"},
		{"0 0 3 ? JAN-MAR SUN", "at 03:00 on Sunday in January to March"},
		// Beyond the describer: the raw expression stands alone.
		{"0 0 0 1 1 ? 2030", ""},
		{"0 5-10 * * * ?", ""},
		{"0 0 1-3/2 * * ?", ""},
		{"0 0 22-2 * * ?", ""},
		// Not valid at all.
		{"every day", ""},
		{"0 61 * * * ?", ""},
		{"0 0 2 * * *", ""},
		{"0 2 * * *", ""},
		{"0", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Describe(tt.expr); got != tt.want {
			t.Errorf("Describe(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}
