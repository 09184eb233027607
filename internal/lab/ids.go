package lab

import (
	"crypto/sha1"
	"crypto/sha256"
	binenc "encoding/binary"
	hexenc "encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// newGUID draws a random (version 4) GUID in Microsoft's lower-case form.
func newGUID(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = (a &^ (0xf << 12)) | (4 << 12) // version 4
	b = (b &^ (0x3 << 62)) | (0x2 << 62)
	var raw [16]byte
	binenc.BigEndian.PutUint64(raw[:8], a)
	binenc.BigEndian.PutUint64(raw[8:], b)
	var out [36]byte
	hexenc.Encode(out[0:8], raw[0:4])
	out[8] = '-'
	hexenc.Encode(out[9:13], raw[4:6])
	out[13] = '-'
	hexenc.Encode(out[14:18], raw[6:8])
	out[18] = '-'
	hexenc.Encode(out[19:23], raw[8:10])
	out[23] = '-'
	hexenc.Encode(out[24:36], raw[10:16])
	return string(out[:])
}

// hexID draws n random hex digits (Defender machine ids are 40).
func hexID(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// alnum draws n upper-case letters and digits, as in DESKTOP-4K2J9QZ.
func alnum(r *rand.Rand, n int) string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

// fileHashes are the three digests Defender reports for a file.
type fileHashes struct{ SHA256, SHA1, MD5 string }

// hashesOf derives stable digests for a file's identity. The seed is mixed
// in so that no hash is the same across labs: detections must not learn
// the generator's hashes.
func hashesOf(seed uint64, identity string) fileHashes {
	s := fmt.Sprintf("%d|%s", seed, identity)
	h256 := sha256.Sum256([]byte(s))
	h1 := sha1.Sum([]byte(s))
	m := sha256.Sum256([]byte("md5|" + s))
	return fileHashes{hexenc.EncodeToString(h256[:]), hexenc.EncodeToString(h1[:]), hexenc.EncodeToString(m[:16])}
}

// asciiFold lower-cases a name and keeps letters and digits, for account
// names built from people's names.
func asciiFold(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String()
}
