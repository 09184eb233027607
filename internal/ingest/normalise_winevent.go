package ingest

import (
	"strconv"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// windowsEvent writes the WindowsEvent row every event gets, so nothing is
// lost whatever else it maps to: the system properties in their columns, the
// EventData members as a dynamic object, and the collector's own metadata
// (nxlog's receive time, winlogbeat's beat{}, the rendered message) in
// AdditionalFields.
func (n *normaliser) windowsEvent(e *winEvent, b *batch) {
	if n.windows == nil {
		return
	}
	r := b.row(n.windows)
	r.str("Channel", e.channel)
	r.str("Computer", e.computer)
	r.str("Provider", e.provider)
	r.val("EventID", e.eventID)
	if e.hasLevel {
		r.val("EventLevel", e.level)
	}
	r.str("EventLevelName", levelName(e))
	if e.hasRecord {
		r.str("EventRecordId", strconv.FormatInt(e.recordID, 10))
	}
	if e.hasTask {
		r.val("Task", e.task)
	}
	if e.hasVersion {
		r.val("Version", e.version)
	}
	r.str("Opcode", e.opcode)
	r.str("Keywords", e.keywords)
	if e.hasPID {
		r.val("SystemProcessId", e.processID)
	}
	if e.hasTID {
		r.val("SystemThreadId", e.threadID)
	}
	r.str("SystemUserId", e.userID)
	r.str("Correlation", e.correlation)
	if len(e.data) > 0 {
		r.val("EventData", eventDataJSON(e))
	}
	for i := range e.extra {
		// Collector metadata has a handful of member names: interned,
		// they cost no allocation per event.
		r.extraRaw(e.strs.bytes(e.extra[i].key), e.extra[i].raw)
	}
	b.end()
}

// eventDataJSON renders the EventData members as one JSON object.
func eventDataJSON(e *winEvent) catalog.JSON {
	size := 2
	for i := range e.data {
		size += len(e.data[i].key) + len(e.data[i].raw) + 4
	}
	out := e.mem.alloc(size)[:0]
	out = append(out, '{')
	for i := range e.data {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, e.data[i].key)
		out = append(out, ':')
		out = append(out, e.data[i].raw...)
	}
	out = append(out, '}')
	if !utf8.Valid(out) {
		out = []byte(toValidUTF8(out))
	}
	return out
}

// levelName spells the event level as Windows' event viewer does.
func levelName(e *winEvent) string {
	if e.levelName != "" {
		return e.levelName
	}
	if !e.hasLevel {
		return ""
	}
	switch e.level {
	case 0, 4:
		return "Information"
	case 1:
		return "Critical"
	case 2:
		return "Error"
	case 3:
		return "Warning"
	case 5:
		return "Verbose"
	}
	return ""
}
