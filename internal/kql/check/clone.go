package check

import (
	"reflect"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// clone returns a deep copy of a syntax tree. The checker rewrites the tree
// it checks (let references become the bound expression, user functions are
// expanded at their call sites), so it works on a copy and never changes the
// caller's tree; a user function's body is copied once per call so that each
// expansion carries its own types.
//
// It works by reflection so that new node types in package kql need no
// change here. Literal values (decoded JSON, times) are immutable and shared.
func clone[T kql.Node](n T) T {
	v := reflect.ValueOf(n)
	if !v.IsValid() {
		return n
	}
	return deepCopy(v).Interface().(T)
}

var literalType = reflect.TypeOf(kql.Literal{})

func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(deepCopy(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(deepCopy(v.Elem()))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(deepCopy(v.Index(i)))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // copies scalar fields and unexported ones
		if v.Type() == literalType {
			return out
		}
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return out
	}
	return v
}
