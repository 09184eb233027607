package lab

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// city is a place sign-ins and offices come from, with the fields Entra ID
// reports in LocationDetails.
type city struct {
	Name, State, Country string // Country is ISO 3166-1 alpha-2
	Lat, Lon             float64
	UTCOffset            int // hours, standard time
	Culture              string
}

// cities holds office and home locations; attackers' locations come from
// attackerCities. Coordinates are the city centres, rounded.
var cities = []city{
	{"New York", "New York", "US", 40.7128, -74.0060, -5, "en"},
	{"Chicago", "Illinois", "US", 41.8781, -87.6298, -6, "en"},
	{"Seattle", "Washington", "US", 47.6062, -122.3321, -8, "en"},
	{"Austin", "Texas", "US", 30.2672, -97.7431, -6, "en"},
	{"Boston", "Massachusetts", "US", 42.3601, -71.0589, -5, "en"},
	{"Atlanta", "Georgia", "US", 33.7490, -84.3880, -5, "en"},
	{"Denver", "Colorado", "US", 39.7392, -104.9903, -7, "en"},
	{"London", "England", "GB", 51.5074, -0.1278, 0, "en"},
	{"Manchester", "England", "GB", 53.4808, -2.2426, 0, "en"},
	{"Edinburgh", "Scotland", "GB", 55.9533, -3.1883, 0, "en"},
	{"Dublin", "Dublin", "IE", 53.3498, -6.2603, 0, "en"},
	{"Berlin", "Berlin", "DE", 52.5200, 13.4050, 1, "de"},
	{"Munich", "Bavaria", "DE", 48.1351, 11.5820, 1, "de"},
	{"Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821, 1, "de"},
	{"Hamburg", "Hamburg", "DE", 53.5511, 9.9937, 1, "de"},
	{"Vienna", "Vienna", "AT", 48.2082, 16.3738, 1, "de"},
	{"Zurich", "Zurich", "CH", 47.3769, 8.5417, 1, "de"},
	{"Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 1, "fr"},
	{"Lyon", "Auvergne-Rhone-Alpes", "FR", 45.7640, 4.8357, 1, "fr"},
	{"Brussels", "Brussels", "BE", 50.8503, 4.3517, 1, "fr"},
	{"Amsterdam", "Noord-Holland", "NL", 52.3676, 4.9041, 1, "nl"},
	{"Rotterdam", "Zuid-Holland", "NL", 51.9244, 4.4777, 1, "nl"},
	{"Madrid", "Madrid", "ES", 40.4168, -3.7038, 1, "es"},
	{"Barcelona", "Catalonia", "ES", 41.3874, 2.1686, 1, "es"},
	{"Milan", "Lombardy", "IT", 45.4642, 9.1900, 1, "it"},
	{"Rome", "Lazio", "IT", 41.9028, 12.4964, 1, "it"},
	{"Stockholm", "Stockholm", "SE", 59.3293, 18.0686, 1, "nordic"},
	{"Oslo", "Oslo", "NO", 59.9139, 10.7522, 1, "nordic"},
	{"Copenhagen", "Capital Region", "DK", 55.6761, 12.5683, 1, "nordic"},
	{"Helsinki", "Uusimaa", "FI", 60.1699, 24.9384, 2, "nordic"},
	{"Warsaw", "Mazowieckie", "PL", 52.2297, 21.0122, 1, "pl"},
	{"Krakow", "Malopolskie", "PL", 50.0647, 19.9450, 1, "pl"},
	{"Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333, -3, "pt"},
	{"Bengaluru", "Karnataka", "IN", 12.9716, 77.5946, 5, "in"},
	{"Pune", "Maharashtra", "IN", 18.5204, 73.8567, 5, "in"},
	{"Hyderabad", "Telangana", "IN", 17.3850, 78.4867, 5, "in"},
	{"Tokyo", "Tokyo", "JP", 35.6762, 139.6503, 9, "jp"},
	{"Osaka", "Osaka", "JP", 34.6937, 135.5023, 9, "jp"},
	{"Singapore", "Singapore", "SG", 1.3521, 103.8198, 8, "sg"},
	{"Sydney", "New South Wales", "AU", -33.8688, 151.2093, 10, "en"},
	{"Melbourne", "Victoria", "AU", -37.8136, 144.9631, 10, "en"},
	{"Toronto", "Ontario", "CA", 43.6532, -79.3832, -5, "en"},
	{"Vancouver", "British Columbia", "CA", 49.2827, -123.1207, -8, "en"},
}

// attackerCities are where hostile infrastructure shows up: hosting
// providers and residential proxies in many countries, including ones an
// organisation also does business in.
var attackerCities = []city{
	{"Moscow", "Moscow", "RU", 55.7558, 37.6173, 3, ""},
	{"Saint Petersburg", "Saint Petersburg", "RU", 59.9311, 30.3609, 3, ""},
	{"Beijing", "Beijing", "CN", 39.9042, 116.4074, 8, ""},
	{"Shenzhen", "Guangdong", "CN", 22.5431, 114.0579, 8, ""},
	{"Tehran", "Tehran", "IR", 35.6892, 51.3890, 3, ""},
	{"Lagos", "Lagos", "NG", 6.5244, 3.3792, 1, ""},
	{"Ho Chi Minh City", "Ho Chi Minh", "VN", 10.8231, 106.6297, 7, ""},
	{"Bucharest", "Bucuresti", "RO", 44.4268, 26.1025, 2, ""},
	{"Kyiv", "Kyiv City", "UA", 50.4501, 30.5234, 2, ""},
	{"Almaty", "Almaty", "KZ", 43.2220, 76.8512, 5, ""},
	{"Jakarta", "Jakarta", "ID", -6.2088, 106.8456, 7, ""},
	{"Istanbul", "Istanbul", "TR", 41.0082, 28.9784, 3, ""},
	{"Chisinau", "Chisinau", "MD", 47.0105, 28.8638, 2, ""},
	{"Sofia", "Sofia-Capital", "BG", 42.6977, 23.3219, 2, ""},
	{"Hong Kong", "Hong Kong", "HK", 22.3193, 114.1694, 8, ""},
	{"Seoul", "Seoul", "KR", 37.5665, 126.9780, 9, ""},
	{"Caracas", "Distrito Capital", "VE", 10.4806, -66.9036, -4, ""},
	{"Minsk", "Minsk", "BY", 53.9006, 27.5590, 3, ""},
	{"Tashkent", "Tashkent", "UZ", 41.2995, 69.2401, 5, ""},
	{"Dhaka", "Dhaka", "BD", 23.8103, 90.4125, 6, ""},
}

// hostingASNs are autonomous systems of hosting providers and VPN exits.
var hostingASNs = []int{14061, 16276, 24940, 20473, 9009, 63949, 51167, 60068, 212238, 49981, 44477, 208091, 36352, 45102}

// ispASNs are residential and mobile carriers, keyed by country.
var ispASNs = map[string][]int{
	"US": {7922, 7018, 701, 20115, 22773, 21928},
	"GB": {2856, 5089, 5607, 12576},
	"IE": {5466, 6830, 15502},
	"DE": {3320, 3209, 6805, 31334},
	"AT": {8447, 25255},
	"CH": {3303, 6730},
	"FR": {3215, 12322, 5410, 15557},
	"BE": {5432, 6848},
	"NL": {1136, 33915, 50266},
	"ES": {3352, 12479, 12430},
	"IT": {3269, 30722, 1267},
	"SE": {3301, 1257},
	"NO": {2119, 29695},
	"DK": {3292, 9158},
	"FI": {1759, 719},
	"PL": {5617, 12741},
	"BR": {28573, 18881, 26599},
	"IN": {24560, 55836, 45609},
	"JP": {2516, 4713, 17676},
	"SG": {7473, 9506},
	"AU": {1221, 4804, 7545},
	"CA": {812, 577, 6327},
}

// publicBlocks are first octets the lab draws public addresses from. They
// avoid private, shared, loopback, link-local, documentation, multicast and
// reserved space.
var publicBlocks = []int{
	2, 5, 13, 18, 20, 23, 31, 34, 35, 37, 40, 45, 46, 51, 52, 62, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75,
	76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 98, 99, 103, 104,
	107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 121, 122, 123, 124, 125, 128, 129,
	130, 131, 132, 134, 137, 138, 139, 141, 143, 144, 145, 146, 147, 148, 149, 151, 152, 154, 155, 156,
	157, 158, 159, 160, 161, 162, 163, 164, 165, 167, 168, 170, 171, 173, 174, 175, 176, 177, 178, 179,
	180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195, 196, 197, 200, 201, 202,
	206, 207, 208, 209, 210, 211, 212, 213, 216, 217, 218, 219, 220, 221, 222, 223,
}

// place is a public IP address with where it geolocates and who owns it.
type place struct {
	IP   string
	City city
	ASN  int
	Lat  float64 // jittered around the city centre, as geo databases do
	Lon  float64
}

// ipAllocator hands out unique public addresses.
type ipAllocator struct {
	r    *rand.Rand
	used map[string]bool
}

func newIPAllocator(r *rand.Rand) *ipAllocator {
	return &ipAllocator{r: r, used: map[string]bool{}}
}

func (a *ipAllocator) next() string {
	for {
		o1 := pick(a.r, publicBlocks)
		ip := fmt.Sprintf("%d.%d.%d.%d", o1, a.r.IntN(256), a.r.IntN(256), 1+a.r.IntN(253))
		if !a.used[ip] {
			a.used[ip] = true
			return ip
		}
	}
}

// place allocates an address in a city owned by asn.
func (a *ipAllocator) place(c city, asn int) place {
	return place{IP: a.next(), City: c, ASN: asn,
		Lat: round4(c.Lat + (a.r.Float64()-0.5)*0.2), Lon: round4(c.Lon + (a.r.Float64()-0.5)*0.2)}
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// distanceKm is the great-circle distance between two places.
func distanceKm(aLat, aLon, bLat, bLon float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (bLat-aLat)*rad, (bLon-aLon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(aLat*rad)*math.Cos(bLat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// local converts t to the site's local wall clock (standard time).
func (c city) local(t time.Time) time.Time {
	return t.In(zones[c.UTCOffset+12])
}

// zones are the fixed zones of whole-hour offsets, built once.
var zones = func() []*time.Location {
	out := make([]*time.Location, 27)
	for i := range out {
		out[i] = time.FixedZone(fmt.Sprintf("UTC%+d", i-12), (i-12)*3600)
	}
	return out
}()
