package lab

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"
)

// app is an Entra ID application a user signs in to, with the resource it
// asks a token for. The ids are Microsoft's first-party application ids.
type app struct {
	Name, ID, Resource, ResourceID string
}

var (
	appTeams      = app{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"}
	appOffice     = app{"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"}
	appExchange   = app{"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"}
	appOfficeHome = app{"OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"}
	appShell      = app{"Office365 Shell WCSS-Client", "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7", "Office365 Shell WCSS-Server", "5f09333a-842c-47da-a157-57da27fcbca5"}
	appPortal     = app{"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"}
	appAzCLI      = app{"Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"}
	appAzPS       = app{"Microsoft Azure PowerShell", "1950a258-227b-4e31-a9cf-717495945fc2", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"}
	appOneDrive   = app{"OneDrive SyncEngine", "ab9b8c07-8f02-4f72-87fa-80105867a763", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"}
	appWindows    = app{"Windows Sign In", "38aa3b87-a06d-4817-b275-7a316988d93b", "Windows Azure Active Directory", "00000002-0000-0000-c000-000000000000"}
	appBroker     = app{"Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e", "Device Registration Service", "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9"}
	appEdge       = app{"Microsoft Edge", "ecd6b820-32c2-49b6-98a6-444530e5a77a", "Microsoft Graph", "00000003-0000-0000-c000-000000000000"}
	appOutlookMob = app{"Outlook Mobile", "27922004-5251-4030-b22d-91ecd9a37ea4", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"}
	appAADPS      = app{"Azure Active Directory PowerShell", "1b730954-1685-4b74-9bfd-dac224a7b894", "Windows Azure Active Directory", "00000002-0000-0000-c000-000000000000"}
	appMySignins  = app{"My Signins", "19db86c3-b2b9-44cc-b339-36da233a3be2", "Microsoft Graph", "00000003-0000-0000-c000-000000000000"}
	appSharePoint = app{"SharePoint Online Web Client Extensibility", "08e18876-6177-487e-b8b5-cf950c1e598c", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"}
)

// signinResults maps Entra ID result codes to the ResultDescription and
// Status.failureReason / additionalDetails the sign-in logs carry.
var signinResults = map[string][2]string{
	"0":      {"", ""},
	"50126":  {"Error validating credentials due to invalid username or password.", "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes."},
	"50053":  {"Account is locked because user tried to sign in too many times with an incorrect user ID or password.", "The account is locked because of repeated sign-in attempts with a wrong password."},
	"50074":  {"Strong Authentication is required.", "The user is required to complete a second factor to sign in."},
	"50076":  {"Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.", "MFA required in Azure AD"},
	"500121": {"Authentication failed during strong authentication request.", "MFA denied; user declined the authentication"},
	"50140":  {"This error occurred due to 'Keep me signed in' interrupt when the user was signing in.", "The user was presented the 'Stay signed in?' prompt."},
	"50055":  {"The password is expired.", "The user's password has expired and must be changed."},
	"50057":  {"User account is disabled. The account has been disabled by an administrator.", "The account has been disabled."},
	"50058":  {"Session information is not sufficient for single-sign-on.", "The session was not found or has expired."},
	"53003":  {"Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", "Blocked by a Conditional Access policy."},
	"70044":  {"The session has expired or is invalid due to sign-in frequency checks by conditional access.", "Sign-in frequency requires re-authentication."},
	"50173":  {"The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.", "The refresh token was revoked."},
	"50097":  {"Device authentication is required.", "Device authentication is required."},
}

// signin is one Entra ID sign-in.
type signin struct {
	T           time.Time
	User        *User
	Interactive bool
	App         app
	Client      string // ClientAppUsed
	Place       place
	UA          string
	Device      *deviceDetail
	Result      string
	Detail      string // overrides Status.additionalDetails
	MFA         string // "", "Mobile app notification", "Text message", "Previously satisfied"
	MFAResult   string
	CA          string // success, failure, notApplied
	Risk        string // none, low, medium, high
	Trusted     bool   // from a trusted named location
	LocName     string
	Corr        string
	ID          string
}

// deviceDetail is Entra's description of the signing-in device.
type deviceDetail struct {
	DeviceID        string `json:"deviceId"`
	DisplayName     string `json:"displayName,omitempty"`
	OperatingSystem string `json:"operatingSystem"`
	Browser         string `json:"browser,omitempty"`
	IsCompliant     bool   `json:"isCompliant,omitempty"`
	IsManaged       bool   `json:"isManaged,omitempty"`
	TrustType       string `json:"trustType,omitempty"`
}

type geoJSON struct {
	City            string `json:"city"`
	State           string `json:"state"`
	CountryOrRegion string `json:"countryOrRegion"`
	GeoCoordinates  struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"geoCoordinates"`
}

type statusJSON struct {
	ErrorCode         int    `json:"errorCode"`
	FailureReason     string `json:"failureReason,omitempty"`
	AdditionalDetails string `json:"additionalDetails,omitempty"`
}

type authStep struct {
	StepDateTime string `json:"authenticationStepDateTime"`
	Method       string `json:"authenticationMethod"`
	MethodDetail string `json:"authenticationMethodDetail,omitempty"`
	Succeeded    bool   `json:"succeeded"`
	ResultDetail string `json:"authenticationStepResultDetail"`
	Requirement  string `json:"authenticationStepRequirement"`
	StatusCode   int    `json:"StatusSequence"`
}

// newSignin fills the fields every sign-in has; the caller adjusts.
func newSignin(r *rand.Rand, t time.Time, u *User, a app, p place, interactive bool) *signin {
	return &signin{T: t, User: u, Interactive: interactive, App: a, Client: "Browser", Place: p, UA: u.Browser.UA,
		Result: "0", CA: "success", Risk: "none", Corr: newGUID(r), ID: newGUID(r)}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}

// signinRow renders a SigninLogs or AADNonInteractiveUserSignInLogs row.
func (g *gen) signinRow(s *signin) *Row {
	tab, cat := g.t.signin, "SignInLogs"
	if !s.Interactive {
		tab, cat = g.t.aadni, "NonInteractiveUserSignInLogs"
	}
	r := tab.row(s.T)
	o := g.o
	u := s.User
	switch s.Result {
	case "50126", "50053", "50034", "50055", "50057", "50140":
		s.CA = "notApplied" // Conditional Access is evaluated only after the first factor
	}
	r.Opt("TenantId", o.WorkspaceID).Set("SourceSystem", "Azure AD").
		Set("OperationName", "Sign-in activity").Set("OperationVersion", "1.0").Set("Category", cat).
		Set("ResultType", s.Result).Set("ResultSignature", "None").Set("DurationMs", int64(0)).
		Set("CorrelationId", s.Corr).Set("Identity", u.Display).Set("Level", "4").
		Set("Location", s.Place.City.Country).Set("AppDisplayName", s.App.Name).Set("AppId", s.App.ID).
		Set("ResourceDisplayName", s.App.Resource).Set("ResourceIdentity", s.App.ResourceID).
		Set("ClientAppUsed", s.Client).Set("ConditionalAccessStatus", s.CA).Set("CreatedDateTime", s.T).
		Set("IsInteractive", s.Interactive).Set("Id", s.ID).Set("OriginalRequestId", s.ID).
		Set("IPAddress", s.Place.IP).Set("UserAgent", s.UA).Set("UserDisplayName", u.Display).
		Set("UserId", u.ObjectID).Set("UserPrincipalName", u.UPN).Set("AlternateSignInName", u.UPN).
		Set("TokenIssuerType", "AzureAD").Set("RiskDetail", "none").Set("RiskLevelAggregated", s.Risk).
		Set("RiskLevelDuringSignIn", s.Risk).Set("RiskState", map[bool]string{true: "atRisk", false: "none"}[s.Risk != "none"]).
		Set("RiskEventTypes", "[]").Set("RiskEventTypes_V2", "[]").Set("HomeTenantId", o.TenantID).
		Set("ResourceTenantId", o.TenantID).Opt("AADTenantId", o.TenantID).Opt("UserType", "Member").
		Opt("ResourceId", "/tenants/"+o.TenantID+"/providers/Microsoft.aadiam").
		Opt("Resource", "Microsoft.aadiam").Set("ResourceGroup", "Microsoft.aadiam").
		Opt("AutonomousSystemNumber", s.Place.ASN).Opt("UniqueTokenIdentifier", s.ID[:22])
	signinResult(r, s)
	signinPlace(r, s)
	signinAuth(r, s)
	g.signinPolicies(r, s)
	ms := int64(40 + (s.T.Nanosecond()/1000)%400)
	r.Opt("ProcessingTimeInMilliseconds", ms).Opt("ProcessingTimeInMs", ms)
	return r
}

// signinResult sets ResultDescription and Status from the result code.
func signinResult(r *Row, s *signin) {
	desc := signinResults[s.Result]
	rd := desc[0]
	if s.Result == "50076" {
		rd = "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '" + s.App.ResourceID + "'."
	}
	r.Set("ResultDescription", rd)
	st := statusJSON{}
	if s.Result != "0" {
		code, _ := strconv.Atoi(s.Result)
		st = statusJSON{code, rd, desc[1]}
		if s.Detail != "" {
			st.AdditionalDetails = s.Detail
		}
	}
	r.Set("Status", mustJSON(st))
}

// signinPlace sets where the sign-in came from and on what device.
func signinPlace(r *Row, s *signin) {
	var loc geoJSON
	loc.City, loc.State, loc.CountryOrRegion = s.Place.City.Name, s.Place.City.State, s.Place.City.Country
	loc.GeoCoordinates.Latitude, loc.GeoCoordinates.Longitude = s.Place.Lat, s.Place.Lon
	r.Set("LocationDetails", mustJSON(loc))
	dev := s.Device
	if dev == nil {
		dev = &deviceDetail{OperatingSystem: "Windows 10", Browser: s.User.Browser.Name + " " + s.User.Browser.Version}
	}
	r.Set("DeviceDetail", mustJSON(dev))
	nl := []map[string]any{}
	if s.Trusted {
		nl = append(nl, map[string]any{"networkType": "trustedNamedLocation", "networkNames": []string{s.LocName}})
	}
	r.Set("NetworkLocationDetails", mustJSON(nl))
}

// signinAuth sets the authentication steps and what they satisfied.
func signinAuth(r *Row, s *signin) {
	req := "singleFactorAuthentication"
	var steps []authStep
	ts := s.T.Format("2006-01-02T15:04:05.0000000+00:00")
	switch {
	case s.MFA != "" && s.MFA != "Previously satisfied":
		req = "multiFactorAuthentication"
		ok := s.MFAResult == "" || s.MFAResult == "MFA successfully completed"
		steps = append(steps, authStep{ts, "Password", "Password in the cloud", true, "Correct password", "Primary authentication", 0},
			authStep{ts, s.MFA, "", ok, orDefault(s.MFAResult, "MFA successfully completed"), "MFA", 0})
		r.Set("MfaDetail", mustJSON(map[string]string{"authMethod": s.MFA, "authDetail": ""}))
	case s.Result == "50126" || s.Result == "50053":
		steps = append(steps, authStep{ts, "Password", "Password in the cloud", false, "Invalid username or password or Invalid on-premise username or password.", "Primary authentication", 0})
	default:
		if s.MFA == "Previously satisfied" {
			req = "multiFactorAuthentication"
		}
		steps = append(steps, authStep{ts, "Previously satisfied", "", true, "First factor requirement satisfied by claim in the token", "Primary authentication", 0})
	}
	r.Set("AuthenticationRequirement", req)
	r.Set("AuthenticationDetails", mustJSON(steps))
	r.Set("AuthenticationProcessingDetails", mustJSON([]map[string]string{{"key": "IsCAEToken", "value": "False"}}))
	r.Set("AuthenticationRequirementPolicies", "[]")
}

// signinPolicies sets how the tenant's Conditional Access policy applied.
func (g *gen) signinPolicies(r *Row, s *signin) {
	result := s.CA
	if s.CA == "notApplied" {
		result = "notEnabled"
	}
	ca := []map[string]any{{"id": g.caPolicyID, "displayName": g.caPolicyName, "enforcedGrantControls": []string{"Mfa"},
		"enforcedSessionControls": []string{}, "result": result}}
	r.Set("ConditionalAccessPolicies", mustJSON(ca))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
