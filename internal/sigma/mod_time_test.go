package sigma

import (
	"strings"
	"testing"
)

func TestModTimePart(t *testing.T) {
	f := func(logsource, item, want string) {
		t.Helper()
		if got := where(t, logsource, "  sel:\n    "+item+"\n  condition: sel\n"); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(securityLog, "TimeGenerated|hour: 3", `hourofday(TimeGenerated) == 3`)
	f(securityLog, "TimeGenerated|minute: 59", `datetime_part("minute", TimeGenerated) == 59`)
	f(securityLog, "TimeGenerated|day: 1", `dayofmonth(TimeGenerated) == 1`)
	f(securityLog, "TimeGenerated|week: 52", `week_of_year(TimeGenerated) == 52`)
	f(securityLog, "TimeGenerated|month: 12", `getmonth(TimeGenerated) == 12`)
	f(securityLog, "TimeGenerated|year: 2024", `getyear(TimeGenerated) == 2024`)
	f(securityLog, "TimeGenerated|hour: [0, 1]", `hourofday(TimeGenerated) == 0 or hourofday(TimeGenerated) == 1`)
	f(systemLog, "StartTime|hour: 3", `Channel == "System" and hourofday(todatetime(EventData.StartTime)) == 3`)
	for _, bad := range []string{"hour: 24", "minute: -1", "month: 0", "day: 1.5", "hour: noon"} {
		e := compileErr(t, securityLog, "  sel:\n    TimeGenerated|"+bad+"\n  condition: sel\n", Options{})
		if e.Code != CodeBadValue || !strings.Contains(e.Msg, "|") {
			t.Errorf("%s: %v", bad, e)
		}
	}
}
