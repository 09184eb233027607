package sigma

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// A small KQL evaluator over in-memory rows, for the node kinds the Sigma
// compiler emits. It is a test oracle: it lets real events (the SigmaHQ
// regression data) check that compiled rules match what they should,
// without the store. Semantics follow Kusto: strings are never null (a
// missing string is ""), =~ and the string operators ignore case, their _cs
// forms do not, matches regex searches with RE2.

type row map[string]any

// runPipe applies a compiled rule's operators to rows and returns those that
// pass.
func runPipe(p *kql.PipeExpr, rows []row) ([]row, error) {
	out := rows
	for _, op := range p.Ops {
		var next []row
		for _, r := range out {
			switch o := op.(type) {
			case *kql.WhereOp:
				v, err := eval(o.Pred, r)
				if err != nil {
					return nil, err
				}
				if b, _ := v.(bool); b {
					next = append(next, r)
				}
			case *kql.ExtendOp:
				nr := row{}
				for k, v := range r {
					nr[k] = v
				}
				for _, c := range o.Cols {
					v, err := eval(c.X, r)
					if err != nil {
						return nil, err
					}
					nr[c.Names[0].Name] = v
				}
				next = append(next, nr)
			default:
				return nil, fmt.Errorf("kqleval: operator %T", op)
			}
		}
		out = next
	}
	return out, nil
}

func eval(e kql.Expr, r row) (any, error) {
	switch x := e.(type) {
	case *kql.Literal:
		return x.Value, nil
	case *kql.Ident:
		return r[x.Name], nil
	case *kql.ParenExpr:
		return eval(x.X, r)
	case *kql.MemberExpr:
		return member(x.X, x.Name.Name, r)
	case *kql.IndexExpr:
		k, err := eval(x.Index, r)
		if err != nil {
			return nil, err
		}
		return member(x.X, fmt.Sprint(k), r)
	case *kql.BinaryExpr:
		return evalBinary(x, r)
	case *kql.InExpr:
		return evalIn(x, r)
	case *kql.CallExpr:
		return evalCall(x, r)
	}
	return nil, fmt.Errorf("kqleval: expression %T", e)
}

func member(x kql.Expr, name string, r row) (any, error) {
	v, err := eval(x, r)
	if err != nil {
		return nil, err
	}
	if m, ok := v.(map[string]any); ok {
		return m[name], nil
	}
	return nil, nil
}

// str is Kusto's tostring: null is "".
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func evalBinary(x *kql.BinaryExpr, r row) (any, error) {
	l, err := eval(x.L, r)
	if err != nil {
		return nil, err
	}
	if x.Op == kql.OpAnd || x.Op == kql.OpOr {
		lb, _ := l.(bool)
		if x.Op == kql.OpAnd && !lb || x.Op == kql.OpOr && lb {
			return lb, nil
		}
		rv, err := eval(x.R, r)
		rb, _ := rv.(bool)
		return rb, err
	}
	rv, err := eval(x.R, r)
	if err != nil {
		return nil, err
	}
	ls, rs := str(l), str(rv)
	low := strings.ToLower
	switch x.Op {
	case kql.OpEq, kql.OpNe:
		eq := ls == rs
		if ln, ok := num(l); ok {
			if rn, ok := num(rv); ok {
				eq = ln == rn
			}
		}
		if b, ok := l.(bool); ok {
			rb, _ := rv.(bool)
			eq = b == rb
		}
		return eq == (x.Op == kql.OpEq), nil
	case kql.OpEqCI:
		return strings.EqualFold(ls, rs), nil
	case kql.OpNeCI:
		return !strings.EqualFold(ls, rs), nil
	case kql.OpContains:
		return strings.Contains(low(ls), low(rs)), nil
	case kql.OpContainsCs:
		return strings.Contains(ls, rs), nil
	case kql.OpStartsWith:
		return strings.HasPrefix(low(ls), low(rs)), nil
	case kql.OpStartsWithCs:
		return strings.HasPrefix(ls, rs), nil
	case kql.OpEndsWith:
		return strings.HasSuffix(low(ls), low(rs)), nil
	case kql.OpEndsWithCs:
		return strings.HasSuffix(ls, rs), nil
	case kql.OpRegex:
		re, err := regexp.Compile(rs)
		if err != nil {
			return nil, err
		}
		return re.MatchString(ls), nil
	case kql.OpLt, kql.OpLe, kql.OpGt, kql.OpGe:
		a, ok1 := num(l)
		b, ok2 := num(rv)
		if !ok1 || !ok2 {
			return false, nil
		}
		return map[kql.BinOp]bool{kql.OpLt: a < b, kql.OpLe: a <= b, kql.OpGt: a > b, kql.OpGe: a >= b}[x.Op], nil
	}
	return nil, fmt.Errorf("kqleval: operator %s", x.Op)
}

func evalIn(x *kql.InExpr, r row) (any, error) {
	v, err := eval(x.X, r)
	if err != nil {
		return nil, err
	}
	found := false
	for _, item := range x.List {
		w, err := eval(item, r)
		if err != nil {
			return nil, err
		}
		switch x.Op {
		case kql.OpIn, kql.OpNotIn:
			b, _ := evalBinary(&kql.BinaryExpr{Op: kql.OpEq, L: &kql.Literal{Value: v}, R: &kql.Literal{Value: w}}, r)
			found = found || b.(bool)
		default:
			found = found || strings.EqualFold(str(v), str(w))
		}
	}
	if x.Op == kql.OpNotIn || x.Op == kql.OpNotInCI {
		return !found, nil
	}
	return found, nil
}

func evalCall(x *kql.CallExpr, r row) (any, error) {
	args := make([]any, len(x.Args))
	for i, a := range x.Args {
		v, err := eval(a, r)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	switch x.Fn.Name {
	case "tostring":
		return str(args[0]), nil
	case "tolong":
		f, ok := num(args[0])
		if !ok {
			return nil, nil
		}
		return int64(f), nil
	case "toreal":
		f, ok := num(args[0])
		if !ok {
			return nil, nil
		}
		return f, nil
	case "isempty":
		return str(args[0]) == "", nil
	case "isnotempty":
		return str(args[0]) != "", nil
	case "isnull":
		return args[0] == nil, nil
	case "isnotnull":
		return args[0] != nil, nil
	case "not":
		b, _ := args[0].(bool)
		return !b, nil
	case "iff":
		if b, _ := args[0].(bool); b {
			return args[1], nil
		}
		return args[2], nil
	case "coalesce":
		for _, a := range args {
			if str(a) != "" {
				return a, nil
			}
		}
		return nil, nil
	case "strcat":
		var b strings.Builder
		for _, a := range args {
			b.WriteString(str(a))
		}
		return b.String(), nil
	case "ipv4_is_in_range", "ipv6_is_in_range":
		a, err1 := netip.ParseAddr(str(args[0]))
		p, err2 := netip.ParsePrefix(str(args[1]))
		return err1 == nil && err2 == nil && p.Contains(a), nil
	}
	return nil, fmt.Errorf("kqleval: function %s", x.Fn.Name)
}
