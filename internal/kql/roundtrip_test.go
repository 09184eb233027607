package kql

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// treeOpts compares syntax trees ignoring what the printer may change:
// spans, the source spelling of literals, and whether a name was quoted.
var treeOpts = cmp.Options{
	cmpopts.IgnoreTypes(Span{}),
	cmpopts.IgnoreFields(Literal{}, "Raw"),
	cmpopts.IgnoreFields(Ident{}, "Quoted"),
	cmpopts.EquateNaNs(),
	cmpopts.EquateEmpty(),
}

// roundTrip prints q, parses the text again and checks that the tree is the
// same and that printing is stable. It returns "" or a description.
func roundTrip(q *Query) string {
	text := Print(q)
	q2, err := Parse(text)
	if err != nil {
		return fmt.Sprintf("printed text does not parse: %v\n%s", err, text)
	}
	if dump(q) != dump(q2) {
		return fmt.Sprintf("tree changed after print and parse (-first +second):\n%s\n%s", cmp.Diff(q, q2, treeOpts), text)
	}
	if text2 := Print(q2); text2 != text {
		return fmt.Sprintf("printing is not stable:\n%s\n%s", text, text2)
	}
	return ""
}

// dump renders a tree as text for comparison, leaving out what treeOpts
// ignores. It is much faster than cmp on large trees.
func dump(n any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n))
	return b.String()
}

var (
	spanType     = reflect.TypeOf(Span{})
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(time.Duration(0))
)

func dumpValue(b *strings.Builder, v reflect.Value) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	switch v.Type() {
	case timeType:
		b.WriteString(v.Interface().(time.Time).UTC().Format(time.RFC3339Nano))
		return
	case durationType:
		fmt.Fprintf(b, "%dns", v.Int())
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem())
	case reflect.Struct:
		dumpStruct(b, v)
	case reflect.Slice:
		b.WriteString("[")
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(",")
			}
			dumpValue(b, v.Index(i))
		}
		b.WriteString("]")
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b.WriteString("{")
		for _, k := range keys {
			fmt.Fprintf(b, "%q:", k.String())
			dumpValue(b, v.MapIndex(k))
			b.WriteString(",")
		}
		b.WriteString("}")
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

func dumpStruct(b *strings.Builder, v reflect.Value) {
	t := v.Type()
	b.WriteString(t.Name())
	b.WriteString("{")
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == spanType || (t.Name() == "Literal" && f.Name == "Raw") || (t.Name() == "Ident" && f.Name == "Quoted") {
			continue
		}
		b.WriteString(f.Name)
		b.WriteString(":")
		dumpValue(b, v.Field(i))
		b.WriteString(" ")
	}
	b.WriteString("}")
}
