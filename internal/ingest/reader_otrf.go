package ingest

import (
	"strconv"
	"time"
)

// Windows events as JSON, in the flavours OTRF/Mordor datasets and common
// shippers produce. The flavour is recognised per record from its keys:
//
//	nxlog-flat   Hostname, Channel, EventID, EventTime (local wall clock of the
//	             collector), EventReceivedTime, @timestamp (UTC); EventData
//	             members at the top level; "host" names the collector.
//	flat         the PowerShell export: TimeCreated (a local wall clock,
//	             sometimes with a misleading "Z" or a 12-hour clock without
//	             AM/PM), Hostname, Channel, EventID; EventData at the top level.
//	winlogbeat6  computer_name, event_id, log_name, source_name, event_data{},
//	             @timestamp (UTC event time).
//	winlogbeat7  the same under winlog{} (Elastic Common Schema).
//	evtx         {"Event":{"System":{…},"EventData":{…}}} as evtx_dump writes it
//	             (attributes under "#attributes") and as our EVTX reader
//	             produces it.

// Flavour names, as reported in errors and tests.
const (
	flavourNxlog      = "nxlog"
	flavourFlat       = "flat"
	flavourWinlogbeat = "winlogbeat"
	flavourECS        = "winlogbeat-ecs"
	flavourEvtx       = "evtx"
)

// looksLikeWinEvent reports whether top-level keys say "Windows event".
// A Log Analytics export of SecurityEvent or WindowsEvent has EventID and
// Channel too, but also TimeGenerated or a Type naming its table: those are
// rows. isTable tells table names.
func looksLikeWinEvent(fields []jfield, isTable func(string) bool) bool {
	var id, ch bool
	for i := range fields {
		switch string(fields[i].key) {
		case "Event", "winlog":
			return fields[i].kind == jObject
		case "EventID", "event_id":
			id = true
		case "Channel", "log_name", "SourceName", "source_name":
			ch = true
		case "TimeGenerated":
			return false
		case "Type", "$table":
			if isTable(fields[i].text(nil)) {
				return false
			}
		}
	}
	return id && ch
}

// decodeWinEvent fills e from a decoded record.
func decodeWinEvent(fields []jfield, e *winEvent) error {
	for i := range fields {
		switch string(fields[i].key) {
		case "Event":
			if fields[i].kind == jObject {
				return decodeEvtxJSON(fields[i].raw, e)
			}
		case "winlog":
			if fields[i].kind == jObject {
				return decodeECS(fields, fields[i].raw, e)
			}
		case "event_id":
			return decodeWinlogbeat(fields, e)
		case "EventReceivedTime", "SourceModuleType":
			return decodeNxlog(fields, e)
		}
	}
	for i := range fields {
		if string(fields[i].key) == "EventID" {
			return decodeFlat(fields, e)
		}
	}
	return errorf(CodeBadRecord, "not a Windows event: no EventID, event_id, winlog or Event member")
}

// decodeNxlog reads the nxlog-flat flavour. EventTime is the collector's
// local wall clock; the offset of that clock is EventReceivedTime (same
// clock) minus @timestamp (UTC, stamped moments later by the pipeline),
// rounded to a quarter hour, which makes EventTime exact.
func decodeNxlog(fields []jfield, e *winEvent) error {
	e.flavour = flavourNxlog
	var received, stamp time.Time
	eventTypeIsData := hasKey(fields, "EventTypeOrignal")
	for i := range fields {
		f := &fields[i]
		switch string(f.key) {
		case "Hostname":
			e.computer = e.strs.bytes(textBytes(f, &e.scratch))
		case "Channel":
			e.channel = e.strs.bytes(textBytes(f, &e.scratch))
		case "SourceName":
			e.provider = e.strs.bytes(textBytes(f, &e.scratch))
		case "EventID":
			e.eventID, e.hasEventID = fieldInt(f, &e.scratch)
		case "RecordNumber":
			e.recordID, e.hasRecord = fieldInt(f, &e.scratch)
		case "SeverityValue":
			e.extra = append(e.extra, *f)
		case "Task":
			e.task, e.hasTask = fieldInt(f, &e.scratch)
		case "Version":
			e.version, e.hasVersion = fieldInt(f, &e.scratch)
		case "Opcode":
			e.opcode = e.strs.bytes(textBytes(f, &e.scratch))
		case "Keywords":
			e.keywords = e.strs.bytes(textBytes(f, &e.scratch))
		case "ExecutionProcessID":
			e.processID, e.hasPID = fieldInt(f, &e.scratch)
		case "ThreadID":
			e.threadID, e.hasTID = fieldInt(f, &e.scratch)
		case "UserID":
			e.userID = e.strs.bytes(textBytes(f, &e.scratch))
		case "ActivityID":
			e.correlation = f.text(e.mem)
		case "EventTime":
			e.wall, _ = parseTime(f.text(e.mem))
		case "EventReceivedTime":
			received, _ = parseTime(f.text(e.mem))
			e.extra = append(e.extra, *f)
		case "@timestamp":
			stamp, _ = parseTime(f.text(e.mem))
			e.extra = append(e.extra, *f)
		case "EventType":
			if eventTypeIsData {
				e.addData(*f)
			} else {
				e.extra = append(e.extra, *f)
			}
		case "host", "port", "tags", "@version", "Severity", "OpcodeValue", "Category", "Domain", "AccountName",
			"AccountType", "SourceModuleName", "SourceModuleType", "Message", "EventTypeOrignal", "RelatedActivityID",
			"ProviderGuid", "ERROR_EVT_UNRESOLVED", "Level":
			e.extra = append(e.extra, *f)
		default:
			e.addData(*f)
		}
	}
	if !e.wall.IsZero() && !received.IsZero() && !stamp.IsZero() {
		if off, ok := quarterHours(received.Sub(stamp)); ok {
			e.exact, e.wall = e.wall.Add(-off), time.Time{}
		}
	}
	return e.finishSysmonTime()
}

// decodeFlat reads the PowerShell export flavour: TimeCreated is a local wall
// clock whatever its suffix says, so it is calibrated like any wall clock.
func decodeFlat(fields []jfield, e *winEvent) error {
	e.flavour = flavourFlat
	for i := range fields {
		f := &fields[i]
		switch string(f.key) {
		case "Hostname", "Computer", "MachineName":
			e.computer = e.strs.bytes(textBytes(f, &e.scratch))
		case "Channel", "LogName":
			e.channel = e.strs.bytes(textBytes(f, &e.scratch))
		case "SourceName", "ProviderName":
			e.provider = e.strs.bytes(textBytes(f, &e.scratch))
		case "EventID", "Id":
			e.eventID, e.hasEventID = fieldInt(f, &e.scratch)
		case "RecordId", "RecordNumber":
			e.recordID, e.hasRecord = fieldInt(f, &e.scratch)
		case "Level":
			e.level, e.hasLevel = fieldInt(f, &e.scratch)
		case "Task":
			e.task, e.hasTask = fieldInt(f, &e.scratch)
		case "Version":
			e.version, e.hasVersion = fieldInt(f, &e.scratch)
		case "Opcode":
			e.opcode = e.strs.bytes(textBytes(f, &e.scratch))
		case "Keywords":
			e.keywords = e.strs.bytes(textBytes(f, &e.scratch))
		case "ThreadId":
			e.threadID, e.hasTID = fieldInt(f, &e.scratch)
		case "UserId":
			e.userID = e.strs.bytes(textBytes(f, &e.scratch))
		case "ActivityId":
			e.correlation = f.text(e.mem)
		case "TimeCreated":
			if t, err := parseTime(f.text(e.mem)); err == nil {
				e.wall = t
			}
		case "LevelDisplayName":
			e.levelName = f.text(e.mem)
		case "Message", "@timestamp", "ProviderGuid", "ProviderId", "OpcodeDisplayName",
			"TaskDisplayName", "KeywordsDisplayNames", "RelatedActivityId", "ContainerLog", "@version", "tags", "host":
			e.extra = append(e.extra, *f)
		default:
			e.addData(*f)
		}
	}
	return e.finishSysmonTime()
}

// decodeWinlogbeat reads winlogbeat 6: @timestamp is the event time in UTC.
func decodeWinlogbeat(fields []jfield, e *winEvent) error {
	e.flavour = flavourWinlogbeat
	for i := range fields {
		f := &fields[i]
		switch string(f.key) {
		case "computer_name":
			e.computer = e.strs.bytes(textBytes(f, &e.scratch))
		case "log_name":
			e.channel = e.strs.bytes(textBytes(f, &e.scratch))
		case "source_name":
			e.provider = e.strs.bytes(textBytes(f, &e.scratch))
		case "event_id":
			e.eventID, e.hasEventID = fieldInt(f, &e.scratch)
		case "record_number":
			e.recordID, e.hasRecord = fieldInt(f, &e.scratch)
		case "task":
			e.extra = append(e.extra, *f) // winlogbeat 6 renders the task name, not its number
		case "version":
			e.version, e.hasVersion = fieldInt(f, &e.scratch)
		case "opcode":
			e.opcode = e.strs.bytes(textBytes(f, &e.scratch))
		case "level":
			e.levelName = e.strs.bytes(textBytes(f, &e.scratch))
		case "keywords":
			e.keywords = e.strs.bytes(textBytes(f, &e.scratch))
		case "process_id":
			e.processID, e.hasPID = fieldInt(f, &e.scratch)
		case "thread_id":
			e.threadID, e.hasTID = fieldInt(f, &e.scratch)
		case "activity_id":
			e.correlation = f.text(e.mem)
		case "user":
			e.userID = nestedText(f, "identifier")
			e.extra = append(e.extra, *f)
		case "@timestamp":
			e.exact, _ = parseTime(f.text(e.mem))
		case "event_data", "user_data":
			if err := e.addNested(f); err != nil {
				return err
			}
		default:
			e.extra = append(e.extra, *f)
		}
	}
	return e.finishSysmonTime()
}

// decodeECS reads winlogbeat 7+ (winlog{} plus ECS fields at the top).
func decodeECS(top []jfield, winlog []byte, e *winEvent) error {
	e.flavour = flavourECS
	var d flatDecoder
	if err := d.decode(winlog); err != nil {
		return errorf(CodeBadRecord, "winlog: %v", err)
	}
	for i := range d.fields {
		f := &d.fields[i]
		switch string(f.key) {
		case "computer_name":
			e.computer = e.strs.bytes(textBytes(f, &e.scratch))
		case "channel":
			e.channel = e.strs.bytes(textBytes(f, &e.scratch))
		case "provider_name":
			e.provider = e.strs.bytes(textBytes(f, &e.scratch))
		case "event_id":
			e.eventID, e.hasEventID = fieldInt(f, &e.scratch)
		case "record_id":
			e.recordID, e.hasRecord = fieldInt(f, &e.scratch)
		case "version":
			e.version, e.hasVersion = fieldInt(f, &e.scratch)
		case "opcode":
			e.opcode = e.strs.bytes(textBytes(f, &e.scratch))
		case "activity_id":
			e.correlation = f.text(e.mem)
		case "process":
			if n, err := strconv.ParseInt(nestedText(f, "pid"), 10, 64); err == nil {
				e.processID, e.hasPID = n, true
			}
			e.extra = append(e.extra, *f)
		case "user":
			e.userID = nestedText(f, "identifier")
			e.extra = append(e.extra, *f)
		case "event_data", "user_data":
			if err := e.addNested(f); err != nil {
				return err
			}
		default:
			e.extra = append(e.extra, *f)
		}
	}
	for i := range top {
		f := &top[i]
		switch string(f.key) {
		case "winlog":
		case "@timestamp":
			e.exact, _ = parseTime(f.text(e.mem))
		default:
			e.extra = append(e.extra, *f)
		}
	}
	return e.finishSysmonTime()
}

// decodeEvtxJSON reads {"Event":{"System":…,"EventData":…}}. Attributes sit
// under "#attributes" in evtx_dump output and directly in the element in
// the Velocidex parser's; both are read.
func decodeEvtxJSON(event []byte, e *winEvent) error {
	e.flavour = flavourEvtx
	var d flatDecoder
	if err := d.decode(event); err != nil {
		return errorf(CodeBadRecord, "Event: %v", err)
	}
	for i := range d.fields {
		f := &d.fields[i]
		switch string(f.key) {
		case "System":
			if err := e.evtxSystem(f); err != nil {
				return err
			}
		case "EventData", "UserData":
			if f.kind == jObject {
				if err := e.addEvtxData(f); err != nil {
					return err
				}
			}
		case "#attributes":
		default:
			e.extra = append(e.extra, *f)
		}
	}
	if !e.hasEventID {
		return errorf(CodeBadRecord, "Event.System has no EventID")
	}
	return e.finishSysmonTime()
}

func (e *winEvent) evtxSystem(sys *jfield) error {
	var d flatDecoder
	if err := d.decode(sys.raw); err != nil {
		return errorf(CodeBadRecord, "Event.System: %v", err)
	}
	for i := range d.fields {
		f := &d.fields[i]
		switch string(f.key) {
		case "Provider":
			e.provider = e.strs.bytes([]byte(attr(f, "Name")))
		case "EventID":
			e.eventID, e.hasEventID = elementInt(f)
		case "Version":
			e.version, e.hasVersion = elementInt(f)
		case "Level":
			e.level, e.hasLevel = elementInt(f)
		case "Task":
			e.task, e.hasTask = elementInt(f)
		case "Opcode":
			e.opcode = elementText(f)
		case "Keywords":
			e.keywords = elementText(f)
		case "TimeCreated":
			e.exact = systemTime(attr(f, "SystemTime"))
		case "EventRecordID":
			e.recordID, e.hasRecord = elementInt(f)
		case "Correlation":
			e.correlation = attr(f, "ActivityID")
		case "Execution":
			e.processID, e.hasPID = parseIntOK(attr(f, "ProcessID"))
			e.threadID, e.hasTID = parseIntOK(attr(f, "ThreadID"))
		case "Channel":
			e.channel = e.strs.bytes([]byte(elementText(f)))
		case "Computer":
			e.computer = e.strs.bytes([]byte(elementText(f)))
		case "Security":
			e.userID = attr(f, "UserID")
		}
	}
	return nil
}

// addEvtxData adds EventData members; UserData wraps its members in one more
// element, which is unwrapped.
func (e *winEvent) addEvtxData(f *jfield) error {
	var d flatDecoder
	if err := d.decode(f.raw); err != nil {
		return errorf(CodeBadRecord, "%s: %v", f.key, err)
	}
	if string(f.key) == "UserData" && len(d.fields) == 1 && d.fields[0].kind == jObject {
		return e.addEvtxData(&jfield{key: []byte("EventData"), raw: d.fields[0].raw, kind: jObject})
	}
	for _, m := range d.fields {
		if string(m.key) != "#attributes" {
			e.addData(m)
		}
	}
	return nil
}

// addNested adds the members of an event_data{} object.
func (e *winEvent) addNested(f *jfield) error {
	if f.kind != jObject {
		return nil
	}
	var d flatDecoder
	if err := d.decode(f.raw); err != nil {
		return errorf(CodeBadRecord, "%s: %v", f.key, err)
	}
	for _, m := range d.fields {
		e.addData(m)
	}
	return nil
}

// finishSysmonTime reads Sysmon's UtcTime, the field of record for Sysmon
// events.
func (e *winEvent) finishSysmonTime() error {
	if !e.hasEventID {
		return errorf(CodeBadRecord, "the event has no numeric event id")
	}
	if e.has(fUtcTime) && e.isSysmon() {
		if t, err := parseTime(e.get(fUtcTime)); err == nil {
			e.utc = t
		}
	}
	return nil
}

// quarterHours rounds a clock offset to the quarter hour every real time
// zone is a multiple of; ok is false for offsets no zone has.
func quarterHours(d time.Duration) (time.Duration, bool) {
	q := (d + 7*time.Minute + 30*time.Second).Truncate(15 * time.Minute)
	if d < 0 {
		q = -((-d + 7*time.Minute + 30*time.Second).Truncate(15 * time.Minute))
	}
	return q, q >= -26*time.Hour && q <= 26*time.Hour
}

// systemTime reads SystemTime as RFC 3339 text or Unix seconds.
func systemTime(s string) time.Time {
	t, _ := parseTime(s)
	return t
}

func hasKey(fields []jfield, key string) bool {
	for i := range fields {
		if string(fields[i].key) == key {
			return true
		}
	}
	return false
}

// textBytes returns a string member's unescaped bytes (aliasing the input
// when it had no escapes), for interning.
func textBytes(f *jfield, scratch *[]byte) []byte {
	if f.kind != jString {
		return f.raw
	}
	if !f.esc {
		return f.raw[1 : len(f.raw)-1]
	}
	*scratch = appendUnquoted((*scratch)[:0], f.raw)
	return *scratch
}

// fieldInt reads a member holding a number or numeric text.
func fieldInt(f *jfield, scratch *[]byte) (int64, bool) {
	switch f.kind {
	case jNumber:
		return parseIntOK(string(f.raw))
	case jString:
		return parseIntOK(string(textBytes(f, scratch)))
	}
	return 0, false
}

func parseIntOK(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	n, err := parseInt(s)
	return n, err == nil
}

// attr reads an XML attribute rendered as JSON: {"#attributes":{name:…}} or
// {name:…}.
func attr(f *jfield, name string) string {
	if f.kind != jObject {
		return ""
	}
	var d flatDecoder
	if d.decode(f.raw) != nil {
		return ""
	}
	for i := range d.fields {
		m := &d.fields[i]
		if string(m.key) == name {
			return m.text(nil)
		}
		if string(m.key) == "#attributes" {
			if s := attr(m, name); s != "" {
				return s
			}
		}
	}
	return ""
}

// elementText reads an element that is either a scalar or an object with
// its text under "#text" or "Value".
func elementText(f *jfield) string {
	if f.kind != jObject {
		return f.text(nil)
	}
	for _, k := range []string{"#text", "Value"} {
		if s := nestedText(f, k); s != "" {
			return s
		}
	}
	return ""
}

func elementInt(f *jfield) (int64, bool) { return parseIntOK(elementText(f)) }

// nestedText returns the text of a member of an object member.
func nestedText(f *jfield, key string) string {
	if f.kind != jObject {
		return ""
	}
	var d flatDecoder
	if d.decode(f.raw) != nil {
		return ""
	}
	for i := range d.fields {
		if string(d.fields[i].key) == key {
			return d.fields[i].text(nil)
		}
	}
	return ""
}
