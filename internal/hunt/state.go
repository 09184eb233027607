package hunt

import (
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
)

// StateVersion changes when State's meaning changes; older checkpoints are
// refused rather than misread.
const StateVersion = 1

// State is a hunt in progress: enough to resume it after an interruption.
// It is saved after every step as state.json in the hunt's directory.
type State struct {
	Version   int        `json:"version"`
	Question  string     `json:"question"`
	Completed []string   `json:"completed"` // steps done, in order
	Profile   *Profile   `json:"profile,omitempty"`
	Plan      *plan.Plan `json:"plan,omitempty"`
	// Scope is the plan's entities plus those the hunt pivoted to.
	Scope   entity.Set  `json:"scope"`
	Signals []Annotated `json:"signals,omitempty"`
	Report  *Report     `json:"report"`
}

func (s *State) done(step string) bool {
	for _, c := range s.Completed {
		if c == step {
			return true
		}
	}
	return false
}
