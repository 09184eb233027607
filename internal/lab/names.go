package lab

// Word lists the organisation's names are drawn from. Each seed picks its
// own combination and its own naming schemes, so no name or pattern is
// stable across seeds.

// culture is a pool of given names and surnames.
type culture struct {
	given, surnames []string
}

var cultures = map[string]culture{
	"en": {
		given: []string{"James", "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Charlotte",
			"William", "Ava", "Henry", "Isla", "Lucas", "Mia", "Benjamin", "Harper", "Theodore", "Evelyn", "Jack",
			"Grace", "Samuel", "Chloe", "Daniel", "Ella", "Matthew", "Lily", "Joseph", "Zoe", "David", "Hannah",
			"Ryan", "Megan", "Aaron", "Rachel", "Connor", "Abigail", "Nathan", "Victoria", "Owen", "Scarlett",
			"Gavin", "Brooke", "Trevor", "Kayla", "Dylan", "Paige", "Marcus", "Naomi", "Derek", "Tessa"},
		surnames: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
			"Anderson", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis",
			"Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
			"Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
			"Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed",
			"Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett",
			"Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry",
			"Russell", "Sullivan", "Fisher", "Henderson", "Coleman", "Hayes", "Gibson", "Wallace", "Holmes"},
	},
	"de": {
		given: []string{"Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie", "Leon", "Lena", "Maximilian", "Hannah",
			"Paul", "Laura", "Elias", "Julia", "Tim", "Sarah", "Jan", "Katharina", "Niklas", "Sophie", "Tobias",
			"Johanna", "Florian", "Lisa", "Matthias", "Franziska", "Stefan", "Sabine", "Andreas", "Claudia",
			"Moritz", "Greta", "Sebastian", "Carina", "Dominik", "Miriam"},
		surnames: []string{"Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
			"Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schroeder", "Neumann", "Schwarz", "Braun",
			"Zimmermann", "Krueger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Koehler",
			"Maier", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Moeller", "Weiss", "Jung", "Hahn",
			"Vogel", "Friedrich", "Keller", "Guenther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz"},
	},
	"fr": {
		given: []string{"Louis", "Camille", "Gabriel", "Manon", "Arthur", "Chloe", "Jules", "Ines", "Hugo", "Lea",
			"Raphael", "Juliette", "Antoine", "Margaux", "Mathis", "Clara", "Theo", "Pauline", "Nicolas", "Elodie",
			"Julien", "Aurelie", "Maxime", "Celine", "Baptiste", "Lucie", "Quentin", "Amandine", "Romain", "Oceane"},
		surnames: []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
			"Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
			"Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois",
			"Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel"},
	},
	"es": {
		given: []string{"Hugo", "Lucia", "Mateo", "Sofia", "Martin", "Martina", "Pablo", "Maria", "Alejandro",
			"Paula", "Daniel", "Valeria", "Alvaro", "Carmen", "Diego", "Elena", "Javier", "Laura", "Sergio", "Ana",
			"Adrian", "Marta", "Carlos", "Irene", "Jorge", "Claudia", "Ruben", "Nerea", "Ivan", "Silvia"},
		surnames: []string{"Garcia", "Rodriguez", "Gonzalez", "Fernandez", "Lopez", "Martinez", "Sanchez", "Perez",
			"Gomez", "Martin", "Jimenez", "Ruiz", "Hernandez", "Diaz", "Moreno", "Munoz", "Alvarez", "Romero",
			"Alonso", "Gutierrez", "Navarro", "Torres", "Dominguez", "Vazquez", "Ramos", "Gil", "Ramirez", "Serrano",
			"Blanco", "Molina", "Morales", "Suarez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marin"},
	},
	"it": {
		given: []string{"Leonardo", "Sofia", "Francesco", "Giulia", "Alessandro", "Aurora", "Lorenzo", "Alice",
			"Mattia", "Ginevra", "Andrea", "Emma", "Gabriele", "Giorgia", "Riccardo", "Beatrice", "Tommaso",
			"Chiara", "Marco", "Francesca", "Davide", "Elisa", "Federico", "Martina", "Luca", "Valentina"},
		surnames: []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
			"Marino", "Greco", "Bruno", "Gallo", "Conti", "DeLuca", "Mancini", "Costa", "Giordano", "Rizzo",
			"Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara"},
	},
	"nl": {
		given: []string{"Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Levi", "Tess", "Finn", "Sophie", "Bram",
			"Fleur", "Thijs", "Sanne", "Ruben", "Lotte", "Jesse", "Anouk", "Stijn", "Iris", "Koen", "Femke"},
		surnames: []string{"DeJong", "Jansen", "DeVries", "VanDenBerg", "VanDijk", "Bakker", "Janssen", "Visser",
			"Smit", "Meijer", "DeBoer", "Mulder", "DeGroot", "Bos", "Vos", "Peters", "Hendriks", "VanLeeuwen",
			"Dekker", "Brouwer", "DeWit", "Dijkstra", "Smits", "DeGraaf", "VanderMeer", "Kok", "Jacobs", "Vermeulen"},
	},
	"nordic": {
		given: []string{"Oscar", "Alice", "Elias", "Maja", "William", "Ella", "Hugo", "Astrid", "Emil", "Freja",
			"Axel", "Ingrid", "Anton", "Saga", "Magnus", "Sigrid", "Erik", "Linnea", "Nils", "Elin", "Mikko",
			"Aino", "Lars", "Karin", "Henrik", "Sofie", "Jonas", "Ida"},
		surnames: []string{"Johansson", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
			"Persson", "Svensson", "Gustafsson", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen",
			"Nielsen", "Jensen", "Christensen", "Korhonen", "Virtanen", "Makinen", "Nieminen", "Lindqvist",
			"Berg", "Lindberg", "Holm", "Dahl", "Lund", "Strand", "Haugen", "Bakke"},
	},
	"pl": {
		given: []string{"Jakub", "Zuzanna", "Antoni", "Julia", "Jan", "Maja", "Szymon", "Hanna", "Filip", "Lena",
			"Kacper", "Alicja", "Mateusz", "Natalia", "Michal", "Oliwia", "Piotr", "Agnieszka", "Tomasz", "Magdalena",
			"Pawel", "Katarzyna", "Krzysztof", "Joanna"},
		surnames: []string{"Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kowalczyk", "Kaminski", "Lewandowski",
			"Zielinski", "Szymanski", "Wozniak", "Dabrowski", "Kozlowski", "Jankowski", "Mazur", "Kwiatkowski",
			"Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawlowski", "Michalski", "Krol", "Wieczorek"},
	},
	"pt": {
		given: []string{"Miguel", "Alice", "Arthur", "Helena", "Heitor", "Laura", "Bernardo", "Valentina", "Davi",
			"Manuela", "Gabriel", "Beatriz", "Pedro", "Mariana", "Rafael", "Camila", "Gustavo", "Larissa", "Lucas",
			"Fernanda", "Thiago", "Leticia", "Bruno", "Juliana"},
		surnames: []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
			"Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
			"Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Mendes"},
	},
	"in": {
		given: []string{"Aarav", "Ananya", "Vihaan", "Diya", "Arjun", "Saanvi", "Aditya", "Isha", "Rohan", "Priya",
			"Karan", "Neha", "Rahul", "Pooja", "Vikram", "Kavya", "Siddharth", "Meera", "Nikhil", "Sneha", "Amit",
			"Divya", "Rajesh", "Lakshmi", "Suresh", "Anjali", "Varun", "Shreya", "Manish", "Ritu"},
		surnames: []string{"Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Reddy", "Iyer", "Nair", "Rao",
			"Mehta", "Shah", "Joshi", "Desai", "Kapoor", "Malhotra", "Chopra", "Bhat", "Menon", "Pillai", "Agarwal",
			"Banerjee", "Chatterjee", "Mukherjee", "Das", "Ghosh", "Kulkarni", "Jain", "Saxena", "Mishra"},
	},
	"jp": {
		given: []string{"Haruto", "Yui", "Sota", "Aoi", "Yuto", "Hina", "Riku", "Sakura", "Kaito", "Mei", "Takumi",
			"Yuna", "Ren", "Miyu", "Daiki", "Rin", "Kenta", "Akari", "Hiroshi", "Yuki", "Takeshi", "Naoko"},
		surnames: []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
			"Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura",
			"Hayashi", "Shimizu", "Yamazaki", "Mori", "Abe", "Ikeda", "Hashimoto", "Ishikawa", "Ogawa"},
	},
	"sg": {
		given: []string{"Wei", "Hui", "Jun", "Ling", "Jia", "Xin", "Ming", "Yan", "Kai", "Mei", "Hao", "Li",
			"Jasmine", "Ethan", "Rachel", "Marcus", "Nur", "Farhan", "Siti", "Arun", "Priya", "Darren", "Vanessa"},
		surnames: []string{"Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Chan", "Koh", "Teo", "Ang",
			"Yeo", "Tay", "Ho", "Low", "Toh", "Sim", "Chong", "Chia", "Rahman", "Ismail", "Pillai", "Kumar"},
	},
}

// Company names are built from a first part, a second part and sometimes a
// line of business.
var (
	companyHeads = []string{"Aster", "Bright", "Cald", "Dun", "Elm", "Fen", "Glen", "Harl", "Iver", "Kes",
		"Lark", "Mar", "Nor", "Oak", "Pell", "Quill", "Raven", "Sol", "Tarn", "Umber", "Vell", "Wex", "Yar",
		"Zeph", "Alder", "Birch", "Cobalt", "Drift", "Ember", "Flint", "Granite", "Heron", "Indigo", "Juniper",
		"Kestrel", "Lumen", "Meridian", "North", "Onyx", "Pine", "Quarry", "Ridge", "Silver", "Thistle",
		"Vantage", "Willow", "Arc", "Blue", "Cedar", "Delta"}
	companyTails = []string{"vale", "wick", "ford", "mont", "bridge", "stone", "field", "haven", "gate", "ton",
		"more", "ridge", "brook", "worth", "line", "crest", "point", "water", "well", "dale", "ley", "combe",
		"shore", "mark", "hurst", "stead", "wood", "by", "port", "view"}
	companyTrades = []string{"", "", "", "Logistics", "Bio", "Capital", "Systems", "Health", "Foods",
		"Energy", "Labs", "Manufacturing", "Insurance", "Retail", "Pharma", "Engineering", "Media", "Holdings"}
	tlds = []string{"com", "com", "com", "io", "net", "co", "group", "eu", "biz"}

	departments = []string{"Finance", "Human Resources", "Sales", "Marketing", "Engineering", "Operations",
		"Legal", "Customer Success", "Procurement", "Research", "Product", "Facilities"}

	// Themed host names some organisations use for servers.
	serverThemes = [][]string{
		{"orion", "vega", "sirius", "rigel", "altair", "deneb", "antares", "polaris", "castor", "pollux", "lyra",
			"draco", "perseus", "cygnus", "andromeda", "cassiopeia", "aquila", "hydra", "phoenix", "carina"},
		{"thames", "severn", "danube", "rhine", "loire", "tagus", "volga", "elbe", "oder", "tiber", "shannon",
			"tweed", "humber", "mersey", "trent", "avon", "douro", "ebro", "seine", "rhone"},
		{"everest", "denali", "elbrus", "kilimanjaro", "aconcagua", "vinson", "matterhorn", "eiger", "fuji",
			"olympus", "etna", "rainier", "whitney", "shasta", "hood", "baker", "logan", "robson", "cook", "ararat"},
		{"mercury", "venus", "earth", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto", "ceres", "io",
			"europa", "ganymede", "callisto", "titan", "rhea", "triton", "oberon", "miranda", "phobos"},
	}
)

// roleCodes are the spellings of server roles in host names; each seed
// picks one spelling per role.
var roleCodes = map[hostKind][]string{
	kindDC:      {"DC", "ADDS", "AD", "DOM", "DCS"},
	kindFile:    {"FS", "FILE", "NAS", "FSRV", "SHARE"},
	kindJump:    {"JMP", "JUMP", "BASTION", "PAW", "JH"},
	kindMgmt:    {"MGMT", "ADM", "OPS", "TOOLS", "MGT"},
	kindDeploy:  {"SCCM", "DEPLOY", "PDQ", "MECM", "SWD"},
	kindBackup:  {"BKP", "BACKUP", "VEEAM", "BK", "BCK"},
	kindWeb:     {"WEB", "IIS", "APP", "PORTAL", "EXT"},
	kindSQL:     {"SQL", "DB", "MSSQL", "DATA", "SQLDB"},
	kindLinux:   {"lnx", "ubu", "app", "srv", "node"},
	kindLinuxEx: {"web", "edge", "gw", "api", "proxy"},
}
