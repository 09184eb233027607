// Package labtest runs the LLM planner and analyst in whole hunts over a
// small generated lab, with fake models that obey every instruction they
// read, to show that injected log text cannot change what the hunt
// decides; and measures the tokens an LLM hunt sends. It holds only tests
// (they need the store, so cgo), kept apart so llmhunt's own tests do not.
package labtest
