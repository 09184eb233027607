package ingest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFlatDecoderSuccess(t *testing.T) {
	// f checks that in decodes into the fields want (key=text, in order),
	// and that encoding/json agrees the record is valid.
	f := func(in string, want ...string) {
		t.Helper()
		var d flatDecoder
		if err := d.decode([]byte(in)); err != nil {
			t.Errorf("decode(%q): %v", in, err)
			return
		}
		if !json.Valid([]byte(in)) {
			t.Errorf("decode accepted %q, which encoding/json rejects", in)
		}
		var got []string
		for i := range d.fields {
			got = append(got, string(d.fields[i].key)+"="+d.fields[i].text(nil))
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("decode(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	f(`{}`)
	f(` { } `)
	f(`{"a":"b"}`, "a=b")
	f(`{"a":1,"b":-2.5e3,"c":true,"d":false,"e":null}`, "a=1", "b=-2.5e3", "c=true", "d=false", "e=")
	f(`{"a":"x\"y\\z\/\n\t\u00e9\ud83d\ude00"}`, "a=x\"y\\z/\n\té😀")
	f(`{"k\u0041":"v"}`, "kA=v")
	f(`{"o":{"x":[1,{"y":null}],"z":"}"},"s":"{"}`, `o={"x":[1,{"y":null}],"z":"}"}`, "s={")
	f(`{"arr":[],"obj":{}}`, "arr=[]", "obj={}")
	f("{\"a\":\"b\"}\r\n", "a=b")
	f(`{"dup":1,"dup":2}`, "dup=1", "dup=2")
	f(`{"n":0,"m":-0.5,"big":123456789012345678901234567890}`, "n=0", "m=-0.5", "big=123456789012345678901234567890")
}

func TestFlatDecoderErrors(t *testing.T) {
	// f checks that in is rejected with a message containing want, and that
	// encoding/json rejects it too.
	f := func(in, want string) {
		t.Helper()
		var d flatDecoder
		err := d.decode([]byte(in))
		if err == nil {
			t.Errorf("decode(%q) succeeded, want an error with %q", in, want)
			return
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("decode(%q) = %q, want it to contain %q", in, err, want)
		}
		deliberate := strings.HasPrefix(strings.TrimSpace(in), "[") || want == "nesting deeper" // our own limits
		if json.Valid([]byte(in)) && !deliberate {
			t.Errorf("decode rejected %q, which encoding/json accepts", in)
		}
	}
	f(``, "expected '{'")
	f(`[1]`, "expected '{'")
	f(`{"a":1`, "truncated")
	f(`{"a":"b`, "unterminated string")
	f(`{"a":"b}`, "unterminated string")
	f(`{"a" 1}`, "expected ':'")
	f(`{"a":1 "b":2}`, "expected ',' or '}'")
	f(`{a:1}`, "expected a field name")
	f(`{"a":tru}`, "expected true")
	f(`{"a":01}`, "leading zero")
	f(`{"a":1.}`, "no digits after '.'")
	f(`{"a":1e}`, "exponent")
	f(`{"a":"\x"}`, `bad escape \x`)
	f(`{"a":"\u12"}`, `bad \u escape`)
	f("{\"a\":\"line\nbreak\"}", "control character")
	f(`{"a":[1,2}`, "expected ',' or ']'")
	f(`{"a":1}}`, "after the end of the record")
	f(`{"a":1} x`, "after the end of the record")
	f(strings.Repeat(`{"a":`, 300)+"1"+strings.Repeat("}", 300), "nesting deeper")
}

// TestFlatDecoderInvalidUTF8 checks that text from a record with invalid
// UTF-8 is made valid, since the store rejects anything else.
func TestFlatDecoderInvalidUTF8(t *testing.T) {
	var d flatDecoder
	if err := d.decode([]byte("{\"a\":\"x\xff\xfey\"}")); err != nil {
		t.Fatal(err)
	}
	if got := d.fields[0].text(nil); got != "x\uFFFD\uFFFDy" {
		t.Errorf("text = %q", got)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "ctl\x01\n\r\t", "é😀", "\x7f"} {
		b := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("appendJSONString(%q) = %s: back %q, %v", s, b, back, err)
		}
	}
}

// TestDecoderRewritesLoneSurrogates: half of a UTF-16 surrogate pair
// escaped alone makes DuckDB reject a whole JSON document, and raw values
// are stored as they are, so the decoder rewrites it as \ufffd in place.
func TestDecoderRewritesLoneSurrogates(t *testing.T) {
	in := []byte(`{"a":"\ud800","b":"\ud83d\ude00","c":["\udc00x",{"k\uDBFF":1}],"d":"\\ud800","e":"\ud800\u0041"}`)
	want := `{"a":"\ufffd","b":"\ud83d\ude00","c":["\ufffdx",{"k\ufffd":1}],"d":"\\ud800","e":"\ufffd\u0041"}`
	var d flatDecoder
	if err := d.decode(in); err != nil {
		t.Fatal(err)
	}
	if string(in) != want {
		t.Errorf("decoded record\n got %s\nwant %s", in, want)
	}
	for _, f := range d.fields {
		if !storable(f.raw) {
			t.Errorf("%s: %s", f.key, f.raw)
		}
	}
}

// TestPlainRunStopsAtTheFirstSpecialByte: the eight-bytes-at-a-time scan
// never skips past a quote, a backslash or a control character, whatever
// its position, and never stops in a group without one (bytes above 0x7f
// and DEL are plain).
func TestPlainRunStopsAtTheFirstSpecialByte(t *testing.T) {
	plain := []byte("abcdefghijklmnopqrstuvwxyz0123456789\x7f\x80\xff\xc3\xa9ABCDEFGHIJ!#$%&'()*+,-./:;<=>?@[]^_`{|}~")
	for _, special := range []byte{'"', '\\', 0x00, 0x01, 0x0a, 0x1f} {
		for at := 0; at < len(plain); at++ {
			b := append([]byte(nil), plain...)
			b[at] = special
			for from := 0; from <= at; from++ {
				i := plainRun(b, from)
				if i > at || (at-i >= 8 && i+8 <= len(b)) {
					t.Fatalf("special %#x at %d, scan from %d stopped at %d", special, at, from, i)
				}
			}
		}
	}
	if i := plainRun(plain, 0); i < len(plain)-7 {
		t.Errorf("a run of plain bytes stopped at %d of %d", i, len(plain))
	}
}
