package duckdb_test

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
)

// queryGen builds random but well-typed queries over the Logons test table
// from expression templates, so that the property "a checked query's SQL is
// accepted by DuckDB" is exercised far beyond what mutation fuzzing reaches.
type queryGen struct {
	r     *rand.Rand
	cols  map[string][]string // by type: the columns currently available
	fresh int
}

// templates per result type; S, N, R, B, T, D, P stand for a sub-expression
// of type string, long, real, bool, datetime, dynamic and timespan.
var exprTemplates = map[string][]string{
	"S": {"tolower(S)", "toupper(S)", "strcat(S, 'x', N)", "tostring(N)", "tostring(R)", "tostring(T)", "tostring(D)",
		"substring(S, 1, 2)", "extract('([a-z]+)', 1, S)", "tostring(D.app)", "replace_string(S, 'a', 'b')",
		"trim(' ', S)", "iff(B, S, 'x')", "case(B, S, B, 'y', 'z')", "coalesce(S, 'd')", "reverse(S)",
		"strcat_delim('-', S, N)", "format_datetime(T, 'yyyy-MM-dd')", "tostring(split(S, '.')[0])",
		"replace_regex(S, '[0-9]', '#')", "trim_end('x', S)", "base64_encode_tostring(S)", "hash_sha256(S)",
		"tohex(N)", "strcat_array(pack_array(S, N), ',')", "url_encode(S)", "tostring(P)", "'lit'"},
	"N": {"strlen(S)", "N + 1", "N * 2", "N / 3", "N % 5", "tolong(S)", "bin(N, 10)", "array_length(D)",
		"countof(S, 'a')", "indexof(S, 'a')", "datetime_diff('hour', T, T)", "hourofday(T)", "abs(N)",
		"iff(B, N, 0)", "coalesce(N, 1)", "max_of(N, 1)", "toint(R)", "tolong(D.n)", "parse_ipv4(S)", "42"},
	"R": {"R + 0.5", "N * 1.5", "toreal(S)", "round(R, 1)", "sqrt(abs(R))", "log(abs(R) + 1)", "pow(R, 2)",
		"P / 1m", "iff(B, R, 0.0)", "todouble(N)", "exp(0.0)", "2.5"},
	"B": {"S has 'a'", "S contains 'x'", "S !contains 'x'", "N > 1", "isempty(S)", "isnull(N)", "S in ('a', 'b')",
		"not(B)", "S matches regex 'a+'", "S startswith 'x'", "B and B", "B or B", "S =~ 'x'", "S !~ 'y'",
		"N between (1 .. 5)", "T > ago(1d)", "S has_any ('a', 'b')", "S hasprefix 'a'", "S endswith_cs 'E'",
		"isnotempty(S)", "ipv4_is_private(S)", "S in~ ('ALICE')", "N !in (1, 2)", "T between (ago(7d) .. now())",
		"R >= 0", "S == 'x'", "S != ''", "tobool(N)", "bag_has_key(D, 'app')", "true"},
	"T": {"T", "bin(T, 1h)", "startofday(T)", "ago(1d)", "T + 1h", "todatetime(S)", "datetime_add('day', 1, T)",
		"startofweek(T)", "endofmonth(T)", "iff(B, T, now())", "max_of(T, ago(2d))", "bin_at(T, 1d, datetime(2024-01-01 06:00))"},
	"D": {"D", "D.geo", "D['tags']", "parse_json(S)", "pack_array(S, N)", "bag_pack('k', S)", "split(S, ',')",
		"extract_all('([a-z])', S)", "D.tags[0]", "todynamic(S)", "set_union(D.tags, pack_array(S))",
		"array_concat(D.tags, pack_array(N))", "bag_keys(D)", "range(1, 3, 1)"},
	"P": {"P", "1h", "T - T", "P * 2", "totimespan(S)", "bin(P, 1m)", "dayofweek(T)", "iff(B, P, 0s)"},
}

// leafOf is a constant of each type, for when no column of it is left.
var leafOf = map[string]string{"S": "'s'", "N": "7", "R": "1.5", "B": "false", "T": "datetime(2024-04-30)",
	"D": "dynamic({\"app\": \"x\", \"tags\": [1]})", "P": "2h"}

var typeColumns = map[string][]string{
	"S": {"Account", "Computer", "Result", "IpAddress"},
	"N": {"Bytes"},
	"R": {"Score"},
	"B": {"IsAdmin"},
	"T": {"TimeGenerated"},
	"D": {"Details"},
	"P": {"Duration"},
}

func (g *queryGen) expr(t string, depth int) string {
	if depth <= 0 || g.r.Intn(3) == 0 {
		if cols := g.cols[t]; len(cols) > 0 && (depth <= 0 || g.r.Intn(4) != 0) {
			return kql.Print(kql.Name(cols[g.r.Intn(len(cols))]))
		}
		if depth <= 0 {
			return leafOf[t]
		}
	}
	tpls := exprTemplates[t]
	tpl := tpls[g.r.Intn(len(tpls))]
	var b strings.Builder
	for i := 0; i < len(tpl); i++ {
		ch := tpl[i]
		if strings.IndexByte("SNRBTDP", ch) >= 0 && (i == 0 || !isIdentChar(tpl[i-1])) && (i+1 == len(tpl) || !isIdentChar(tpl[i+1])) {
			b.WriteString(g.expr(string(ch), depth-1))
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '\'' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (g *queryGen) name() string {
	g.fresh++
	return fmt.Sprintf("c%d", g.fresh)
}

var aggTemplates = []string{"count()", "dcount(S)", "sum(N)", "avg(R)", "max(T)", "min(S)", "countif(B)",
	"make_set(S)", "make_list(N)", "percentile(N, 50)", "stdev(R)", "take_any(S)", "sumif(N, B)", "make_bag(bag_pack('k', S))"}

// op appends one random operator and updates the available columns.
func (g *queryGen) op() string {
	switch g.r.Intn(18) {
	case 0, 1:
		return "where " + g.expr("B", 3)
	case 2, 3:
		types := []string{"S", "N", "R", "B", "T", "D", "P"}
		t := types[g.r.Intn(len(types))]
		n := g.name()
		s := "extend " + n + " = " + g.expr(t, 3)
		g.cols[t] = append(g.cols[t], n)
		return s
	case 4:
		return "sort by " + g.expr([]string{"S", "N", "T"}[g.r.Intn(3)], 1) + []string{" asc", " desc", ""}[g.r.Intn(3)]
	case 5:
		return fmt.Sprintf("take %d", g.r.Intn(5))
	case 6:
		return fmt.Sprintf("top %d by %s", 1+g.r.Intn(3), g.expr("N", 1))
	case 7:
		key := g.expr([]string{"S", "T", "N"}[g.r.Intn(3)], 2)
		n1, n2 := g.name(), g.name()
		agg := g.expr("S", 0)
		_ = agg
		a := aggTemplates[g.r.Intn(len(aggTemplates))]
		a = strings.NewReplacer("S", g.expr("S", 1), "N", g.expr("N", 1), "R", g.expr("R", 1), "B", g.expr("B", 1), "T", g.expr("T", 1)).Replace(a)
		g.cols = map[string][]string{"S": {}, "N": {n2}}
		if strings.HasPrefix(key, "bin(") || strings.Contains(key, "TimeGenerated") {
			g.cols["T"] = []string{n1}
			g.cols["S"] = nil
		} else {
			g.cols["S"] = []string{n1}
		}
		return "summarize " + n2 + " = count(), x" + n2 + " = " + a + " by " + n1 + " = " + key
	case 8:
		return "mv-expand " + g.name() + " = " + g.expr("D", 1)
	case 9:
		return "join kind=" + []string{"inner", "leftouter", "innerunique", "leftanti", "rightsemi", "fullouter"}[g.r.Intn(6)] +
			" (Devices | project Computer, OS) on Computer"
	case 10:
		return "serialize rn = row_number()"
	case 12:
		n := g.name()
		g.cols["S"] = append(g.cols["S"], n)
		return "parse " + g.expr("S", 1) + ` with * "a" ` + n + ` " " *`
	case 13:
		n := g.name()
		g.cols = map[string][]string{"S": {"Result"}, "D": {n}}
		return "make-series " + n + " = count() default = 0 on TimeGenerated from ago(5d) to now() step 1d by Result"
	case 14:
		if cols := g.cols["S"]; len(cols) > 1 {
			g.cols["S"] = cols[1:]
			return "project-away " + kql.Print(kql.Name(cols[0]))
		}
		g.cols = map[string][]string{"N": {"Count"}}
		return "count"
	case 15:
		n := g.name()
		g.cols["N"] = append(g.cols["N"], n)
		return "mv-apply e = " + g.expr("D", 1) + " on (summarize " + n + " = count())"
	case 16:
		return "lookup (Devices | project Computer, Crit = Criticality) on Computer"
	default:
		return "distinct " + g.expr("S", 1)
	}
}

// TestGeneratedQueriesRun compiles and runs generated queries; DuckDB must
// accept every one the checker accepts.
func TestGeneratedQueriesRun(t *testing.T) {
	env := newTestEnv(t)
	seed, n := int64(1), 400
	if s := os.Getenv("GEN_SEED"); s != "" {
		fmt.Sscan(s, &seed)
		n = 3000
	}
	r := rand.New(rand.NewSource(seed))
	checked := 0
	for i := 0; i < n; i++ {
		g := &queryGen{r: r, cols: map[string][]string{}}
		for k, v := range typeColumns {
			g.cols[k] = append([]string(nil), v...)
		}
		parts := []string{"Logons"}
		for j := 1 + r.Intn(4); j > 0; j-- {
			op := g.op()
			parts = append(parts, op)
			if strings.HasPrefix(op, "join") || strings.HasPrefix(op, "distinct") || strings.HasPrefix(op, "lookup") ||
				strings.HasPrefix(op, "mv-apply") {
				break // the schema is no longer the generator's
			}
		}
		src := strings.Join(parts, " | ")
		q, err := kql.Parse(src)
		if err != nil {
			t.Errorf("generated query does not parse: %v\n%s", err, src)
			continue
		}
		ch, err := check.Check(q, check.Options{Catalog: env.cat, Now: testNow})
		if err != nil {
			continue
		}
		checked++
		if os.Getenv("GEN_TRACE") != "" {
			fmt.Fprintln(os.Stderr, "GEN", i, src)
		}
		res, err := duckdb.Compile(ch, duckdb.Options{MaxRows: 20})
		if err != nil {
			t.Errorf("a checked query did not compile: %v\n%s", err, src)
			continue
		}
		assertAccepted(t, env, src, res.SQL)
	}
	if checked < n/2 {
		t.Errorf("only %d of %d generated queries checked; the generator has drifted from the checker", checked, n)
	}
	t.Logf("%d of %d generated queries checked and ran", checked, n)
}
