// Package respond turns findings into containment: it proposes response
// actions from a small table of rules of thumb, checks them against the
// response policy, records the analyst's approval or denial, executes
// approved actions through a connector, verifies the result and records
// every step in the audit log.
//
// An action moves proposed → approved | denied → executing → succeeded |
// failed, and every transition carries its time, actor and reason. Actions
// persist in a JSON file (actions.json next to the store), rewritten
// atomically under a lock so concurrent sleuth processes never corrupt it.
//
// Before an approved action's call is sent, the action is persisted as
// executing with an idempotency key that the connector embeds in the call
// (the comment of a Defender machine action, the Elastic action comment, a
// webhook header, the lab's event). If sleuth dies mid-call, Reconcile
// finds the key on the connector's side and resumes waiting, or reports the
// action as interrupted; it never sends the call twice.
//
// Connectors (one small interface: resolve the target, show the exact call,
// detect the current state, execute, wait and verify):
//
//	mde      Defender for Endpoint machines API (isolate, release, AV scan, investigation package)
//	entra    Entra ID through Microsoft Graph (disable user, revoke sessions)
//	elastic  Elastic Defend through Kibana (isolate, release)
//	webhook  a signed JSON POST of the action to a URL of your choosing
//	lab      the embedded lab store (package respond/lab)
//
// A "block IP" action is only ever a recommendation: it is recorded, shown
// and can be acknowledged, but no connector executes it.
//
// The hunt calls Propose with its findings and the policy, then hands the
// proposals to (*Engine).Process with the --approve mode: never records and
// shows them, ask prompts for each through a Prompter, policy approves
// those the policy allows without a second confirmation.
package respond
