package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// azOp is one Azure Resource Manager operation as the Activity log records
// it: a Start event and its outcome, sharing a correlation id.
type azOp struct {
	T         time.Time
	Value     string // OperationNameValue, e.g. MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION
	Name      string // friendly OperationName
	Category  string // Administrative, Policy
	Caller    string // UPN, or a service principal's object id
	CallerOID string
	AppID     string
	IP        string
	RG        string
	Resource  string // resource id (mixed case as ARM writes it)
	Outcome   string // Success, Failure, Accept
	Substatus string // OK, Created, Accepted, Forbidden
	Role      string // role of the caller that authorised the action
	Request   string // request body, for writes that record one
	Delay     time.Duration
}

// azureRows renders the Start and outcome rows of an operation.
func (g *gen) azureRows(r *rand.Rand, op *azOp) []*Row {
	corr := newGUID(r)
	start := g.azureRow(r, op, op.T, "Start", "", corr)
	d := op.Delay
	if d == 0 {
		d = time.Duration(300+r.IntN(4000)) * time.Millisecond
	}
	end := g.azureRow(r, op, op.T.Add(d).Truncate(time.Microsecond), op.Outcome, op.Substatus, corr)
	if op.Category == "Policy" {
		return []*Row{end}
	}
	return []*Row{start, end}
}

func (g *gen) azureRow(r *rand.Rand, op *azOp, t time.Time, status, sub, corr string) *Row {
	o := g.o
	row := g.t.azact.row(t)
	parts := strings.SplitN(op.Value, "/", 2)
	provider := parts[0]
	scope := op.Resource
	row.Opt("TenantId", o.WorkspaceID).Set("SourceSystem", "Azure").Set("CallerIpAddress", op.IP).
		Set("CategoryValue", op.Category).Set("CorrelationId", corr).Set("Level", "Informational").
		Set("OperationNameValue", op.Value).Set("OperationName", op.Name).Set("Caller", op.Caller).
		Set("EventDataId", newGUID(r)).Set("EventSubmissionTimestamp", t).Set("OperationId", corr).
		Set("ResourceGroup", strings.ToUpper(op.RG)).Set("ResourceProviderValue", provider).
		Set("ActivityStatusValue", status).Set("ActivitySubstatusValue", sub).
		Set("Hierarchy", o.TenantID+"/"+o.Azure.Subscription).Set("SubscriptionId", o.Azure.Subscription).
		Set("_ResourceId", strings.ToLower(scope))
	row.Set("HTTPRequest", mustJSON(map[string]string{"clientRequestId": newGUID(r), "clientIpAddress": op.IP, "method": httpMethod(op.Value)}))
	authz := map[string]any{"action": actionName(op.Value), "scope": scope}
	if op.Role != "" {
		authz["evidence"] = map[string]string{"role": op.Role, "roleAssignmentScope": "/subscriptions/" + o.Azure.Subscription,
			"principalId": op.CallerOID, "principalType": map[bool]string{true: "User", false: "ServicePrincipal"}[strings.Contains(op.Caller, "@")]}
	}
	row.Set("Authorization", mustJSON(authz)).Opt("Authorization_d", mustJSON(authz))
	claims := map[string]string{"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/" + o.TenantID + "/",
		"ipaddr": op.IP, "http://schemas.microsoft.com/identity/claims/objectidentifier": op.CallerOID,
		"appid": op.AppID, "http://schemas.microsoft.com/identity/claims/tenantid": o.TenantID}
	if strings.Contains(op.Caller, "@") {
		claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = op.Caller
		claims["name"] = op.Caller
	}
	row.Set("Claims", mustJSON(claims)).Opt("Claims_d", mustJSON(claims))
	props := map[string]string{"eventCategory": op.Category, "entity": scope, "message": actionName(op.Value),
		"hierarchy": o.TenantID + "/" + o.Azure.Subscription}
	if status != "Start" {
		props["statusCode"] = map[string]string{"OK": "OK", "Created": "Created", "Accepted": "Accepted", "Forbidden": "Forbidden"}[sub]
		if op.Request != "" {
			props["requestbody"] = op.Request
		}
	}
	row.Set("Properties", mustJSON(props)).Opt("Properties_d", mustJSON(props))
	return row
}

// actionName turns MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION into
// Microsoft.Compute/virtualMachines/runCommand/action, as ARM spells it.
func actionName(v string) string {
	if n, ok := armNames[v]; ok {
		return n
	}
	return strings.ToLower(v)
}

var armNames = map[string]string{
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION":             "Microsoft.Compute/virtualMachines/runCommand/action",
	"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE":                   "Microsoft.Authorization/roleAssignments/write",
	"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE":     "Microsoft.Network/networkSecurityGroups/securityRules/write",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION":                  "Microsoft.Compute/virtualMachines/start/action",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION":             "Microsoft.Compute/virtualMachines/deallocate/action",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE":                         "Microsoft.Compute/virtualMachines/write",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/EXTENSIONS/WRITE":              "Microsoft.Compute/virtualMachines/extensions/write",
	"MICROSOFT.COMPUTE/SNAPSHOTS/WRITE":                               "Microsoft.Compute/snapshots/write",
	"MICROSOFT.COMPUTE/DISKS/BEGINGETACCESS/ACTION":                   "Microsoft.Compute/disks/beginGetAccess/action",
	"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION":               "Microsoft.Storage/storageAccounts/listKeys/action",
	"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE":                           "Microsoft.Resources/deployments/write",
	"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE":                     "Microsoft.Insights/diagnosticSettings/write",
	"MICROSOFT.AUTHORIZATION/POLICIES/AUDIT/ACTION":                   "Microsoft.Authorization/policies/audit/action",
	"MICROSOFT.AUTHORIZATION/POLICIES/AUDITIFNOTEXISTS/ACTION":        "Microsoft.Authorization/policies/auditIfNotExists/action",
	"MICROSOFT.KEYVAULT/VAULTS/WRITE":                                 "Microsoft.KeyVault/vaults/write",
	"MICROSOFT.WEB/SITES/CONFIG/WRITE":                                "Microsoft.Web/sites/config/write",
	"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE":                   "Microsoft.Network/networkSecurityGroups/write",
	"MICROSOFT.RECOVERYSERVICES/VAULTS/BACKUPJOBS/READ":               "Microsoft.RecoveryServices/vaults/backupJobs/read",
	"MICROSOFT.OPERATIONALINSIGHTS/WORKSPACES/SHAREDKEYS/ACTION":      "Microsoft.OperationalInsights/workspaces/sharedKeys/action",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/INSTALLPATCHES/ACTION":         "Microsoft.Compute/virtualMachines/installPatches/action",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/ASSESSPATCHES/ACTION":          "Microsoft.Compute/virtualMachines/assessPatches/action",
	"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE":                  "Microsoft.Authorization/roleAssignments/delete",
	"MICROSOFT.SECURITYINSIGHTS/INCIDENTS/WRITE":                      "Microsoft.SecurityInsights/incidents/write",
	"MICROSOFT.NETWORK/PUBLICIPADDRESSES/WRITE":                       "Microsoft.Network/publicIPAddresses/write",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/RESTART/ACTION":                "Microsoft.Compute/virtualMachines/restart/action",
	"MICROSOFT.STORAGE/STORAGEACCOUNTS/BLOBSERVICES/CONTAINERS/WRITE": "Microsoft.Storage/storageAccounts/blobServices/containers/write",
}

func httpMethod(v string) string {
	switch {
	case strings.HasSuffix(v, "/WRITE"):
		return "PUT"
	case strings.HasSuffix(v, "/DELETE"):
		return "DELETE"
	case strings.HasSuffix(v, "/READ"):
		return "GET"
	}
	return "POST"
}

// Well-known Azure built-in role definition ids.
const (
	roleOwner       = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	roleContributor = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	roleReader      = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	roleVMContrib   = "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"
)

func (g *gen) roleAssignmentBody(r *rand.Rand, principal, principalType, roleID, scope string) string {
	return fmt.Sprintf(`{"Id":"%s","Properties":{"PrincipalId":"%s","PrincipalType":"%s","RoleDefinitionId":"/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s","Scope":"%s","Condition":null,"ConditionVersion":null}}`,
		newGUID(r), principal, principalType, g.o.Azure.Subscription, roleID, scope)
}

func nsgRuleBody(name, src, port string, priority int) string {
	return fmt.Sprintf(`{"properties":{"protocol":"*","sourcePortRange":"*","destinationPortRange":"%s","sourceAddressPrefix":"%s","destinationAddressPrefix":"*","access":"Allow","priority":%d,"direction":"Inbound"},"name":"%s"}`,
		port, src, priority, name)
}

// auditEv is one Entra ID audit log entry.
type auditEv struct {
	T        time.Time
	Op       string // ActivityDisplayName / OperationName
	Category string
	Service  string // LoggedByService
	OpType   string // AADOperationType: Add, Update, Delete, Assign
	ByUser   *User
	ByApp    string // display name of an initiating app
	ByAppID  string
	IP       string
	Targets  []map[string]any
	Result   string
	Extra    []map[string]string // AdditionalDetails
}

// auditRow renders an AuditLogs row.
func (g *gen) auditRow(r *rand.Rand, a *auditEv) *Row {
	o := g.o
	row := g.t.audit.row(a.T)
	corr := newGUID(r)
	row.Opt("TenantId", o.WorkspaceID).Set("SourceSystem", "Azure AD").
		Opt("ResourceId", "/tenants/"+o.TenantID+"/providers/Microsoft.aadiam").Set("OperationName", a.Op).
		Set("OperationVersion", "1.0").Set("Category", a.Category).Set("ResultSignature", "None").
		Set("DurationMs", int64(0)).Set("CorrelationId", corr).Opt("Resource", "Microsoft.aadiam").
		Set("ResourceGroup", "Microsoft.aadiam").Set("Level", "4").
		Set("Id", fmt.Sprintf("Directory_%s_%s_%d", corr, alnum(r, 5), 10000000+r.IntN(89999999))).
		Set("LoggedByService", a.Service).Set("Result", orDefault(a.Result, "success")).
		Set("ActivityDisplayName", a.Op).Set("ActivityDateTime", a.T).Set("AADOperationType", a.OpType).
		Opt("AADTenantId", o.TenantID)
	init := map[string]any{}
	if a.ByUser != nil {
		init["user"] = map[string]any{"id": a.ByUser.ObjectID, "displayName": nil, "userPrincipalName": a.ByUser.UPN,
			"ipAddress": a.IP, "roles": []string{}}
		row.Set("Identity", a.ByUser.Display)
	} else {
		init["app"] = map[string]any{"appId": a.ByAppID, "displayName": a.ByApp, "servicePrincipalId": newGUID(r), "servicePrincipalName": a.ByApp}
		row.Set("Identity", a.ByApp)
	}
	row.Set("InitiatedBy", mustJSON(init))
	if a.Targets == nil {
		a.Targets = []map[string]any{}
	}
	row.Set("TargetResources", mustJSON(a.Targets))
	if a.Extra == nil {
		a.Extra = []map[string]string{}
	}
	row.Set("AdditionalDetails", mustJSON(a.Extra))
	return row
}

// userTarget is a TargetResources entry for a user.
func userTarget(u *User, props ...map[string]any) map[string]any {
	if props == nil {
		props = []map[string]any{}
	}
	return map[string]any{"id": u.ObjectID, "displayName": nil, "type": "User", "userPrincipalName": u.UPN,
		"modifiedProperties": props, "administrativeUnits": []string{}}
}

func prop(name, old, new string) map[string]any {
	return map[string]any{"displayName": name, "oldValue": old, "newValue": new}
}
