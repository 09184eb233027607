package sigma

// Rule is one Sigma document: a detection rule or, when Correlation is set,
// a Sigma 2 correlation rule over other rules.
type Rule struct {
	File string // the file it came from, as given to the loader
	Doc  int    // 0-based index of the YAML document in the file
	Pos  Pos    // where the document starts

	Title          string
	ID             string
	Name           string // the unique name correlation rules may use instead of ID
	Status         string
	Level          string
	Description    string
	Author         string
	Date           string
	Modified       string
	License        string
	Tags           []string
	References     []string
	FalsePositives []string
	Fields         []string
	Related        []Related

	Logsource   Logsource
	Detection   *Detection
	Correlation *Correlation
}

// Ref is how other rules refer to this one: its name, else its ID.
func (r *Rule) Ref() string {
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}

// Related links a rule to another by ID.
type Related struct {
	ID   string
	Type string // derived, obsolete, merged, renamed, similar
}

// Logsource says which events a rule applies to.
type Logsource struct {
	Category   string
	Product    string
	Service    string
	Definition string
	Pos        Pos
}

// Detection is a rule's search identifiers and its condition.
type Detection struct {
	Searches   map[string]*Search
	Order      []string    // search identifiers in file order
	Conditions []Condition // several conditions are ORed
	Timeframe  string      // Sigma 1's aggregation window; kept only to refuse it clearly
	Pos        Pos
}

// Condition is one condition expression and where its text starts.
type Condition struct {
	Text   string
	Pos    Pos
	Quoted bool // the YAML value was quoted: columns are off by one
}

// Search is one search identifier: an OR of AND-groups of items. A map
// gives one group; a list of maps gives one group per map; a list of plain
// values gives keyword items.
type Search struct {
	Name   string
	Pos    Pos
	Groups [][]*Item
}

// Item is one "field|modifier…: value(s)" entry, or a keyword item when
// Field is empty (a plain list, or the "|all" key).
type Item struct {
	Field     string
	Keyword   bool
	Modifiers []Modifier
	Values    []Value
	Pos       Pos
}

// Modifier is one modifier name as written after a field, with its place.
type Modifier struct {
	Name string
	Pos  Pos
}

// ValueKind is the YAML type of a detection value.
type ValueKind int

// Value kinds.
const (
	KindString ValueKind = iota
	KindNumber
	KindBool
	KindNull
)

// Value is one detection value. Raw keeps the YAML text of numbers and
// booleans, so 0x40810000 compares as written against a string column.
type Value struct {
	Kind  ValueKind
	Str   string  // the string, or the raw text of a number or bool
	Num   float64 // for numbers
	IsInt bool    // the number is an integer
	Int   int64   // for integer numbers
	Bool  bool
	Pos   Pos
}

// Correlation is the correlation section of a Sigma 2 correlation rule.
type Correlation struct {
	Type     string   // event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile
	Rules    []string // IDs or names of the rules correlated
	RulesPos []Pos
	GroupBy  []string
	Timespan string
	Aliases  map[string]map[string]string // alias → rule ref → field
	Cond     CorrelationCondition
	Generate bool
	Pos      Pos
}

// CorrelationCondition is the threshold of a correlation: one or two of
// gt, gte, lt, lte, eq, and the field for value_* types.
type CorrelationCondition struct {
	Ops        map[string]float64
	Field      string
	Percentile float64 // for value_percentile
	Pos        Pos
}
