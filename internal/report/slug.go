package report

import (
	"strings"
	"time"
)

// slugMax keeps a report directory's name short enough to read in a
// listing and far from any file-system limit.
const slugMax = 48

// Slug is a question as a lower-case ASCII name: letters and digits joined
// by single dashes, at most 48 characters, cut at a word boundary where
// possible, never with a dash at either end. Accented Latin letters lose
// their accents; other characters separate words. A question with nothing
// to keep gives "hunt".
func Slug(question string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(question) {
		if r == '\'' || r == '’' {
			continue // "what's" reads better as "whats" than "what-s"
		}
		s := asciiFold(r)
		if s == "" {
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(s)
	}
	s := b.String()
	if len(s) > slugMax {
		cut := strings.LastIndexByte(s[:slugMax+1], '-')
		if cut < slugMax/2 {
			cut = slugMax // one long word: cut inside it
		}
		s = strings.TrimRight(s[:cut], "-")
	}
	if s == "" {
		return "hunt"
	}
	return s
}

// DirName is a hunt's directory name: its UTC start time and the question's
// slug, "20240515T143000Z-suspicious-sign-ins-in-the-last-24-hours". Names
// sort by time.
func DirName(now time.Time, question string) string {
	return now.UTC().Format("20060102T150405Z") + "-" + Slug(question)
}

// asciiFold is the ASCII spelling of a lower-case letter or digit, or ""
// for anything that separates words.
func asciiFold(r rune) string {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return string(r)
	case r < 0x80:
		return ""
	}
	return latinFold[r]
}

var latinFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ą': "a", 'æ': "ae",
	'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i",
	'ł': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ř': "r", 'ś': "s", 'š': "s", 'ș': "s", 'ş': "s", 'ß': "ss", 'ť': "t", 'ț': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}
