package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// header is the generated file's header: the names a CRM or spreadsheet
// export uses, each of which mapping.Suggest maps to a default-schema field.
var header = []string{"Email", "First Name", "Last Name", "Phone", "Company", "City", "Country", "Birthday", "Tags", "Newsletter"}

// Shares of the generated file (of all rows, unless said otherwise).
const (
	shareBadEmail      = 0.02 // e-mails no validator accepts
	shareRepeatedEmail = 0.03 // e-mails of an earlier row (sometimes in another case)
	shareEmptyPhone    = 0.20
	shareGarbagePhone  = 0.03 // "n/a", "call after 5", too short, …
	shareForeignPhone  = 0.07 // of phones: a number of another country than the contact's
	shareEmptyCompany  = 0.12
	shareCompanyVarian = 0.08 // of companies: a near-duplicate spelling ("ACME Inc", "Acme, Inc.")
)

// genStats says what generate wrote, for the tests and the import checks.
type genStats struct {
	Rows int `json:"rows"`
	// BadEmails are rows whose e-mail is invalid; RepeatedEmails rows whose
	// e-mail (case aside) an earlier row has; UniqueEmails the rest: the
	// contacts an import creates.
	BadEmails      int `json:"bad_emails"`
	RepeatedEmails int `json:"repeated_emails"`
	UniqueEmails   int `json:"unique_emails"`
	// EmptyPhones and GarbagePhones count the rows with no phone and with a
	// value that is no phone number at all.
	EmptyPhones   int   `json:"empty_phones"`
	GarbagePhones int   `json:"garbage_phones"`
	Bytes         int64 `json:"bytes"`
}

// country is what the generator knows of a country.
type country struct {
	code   string
	names  []string // English name first, then other spellings
	weight int
	first  []string
	last   []string
	cities []string
	mail   []string // free-mail domains
	tld    string   // company domains
	legal  []string // legal forms of company names
	phone  func(r *rand.Rand) (national, international string)
}

// digits returns n random decimal digits.
func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// group splits s into groups of the given sizes joined by sep (the rest,
// if any, is a last group).
func group(s, sep string, sizes ...int) string {
	var b strings.Builder
	for _, n := range sizes {
		if len(s) <= n {
			break
		}
		b.WriteString(s[:n])
		b.WriteString(sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// The phone generators return one number in a national and in an
// international format of that country, both chosen among the formats
// people type.

func phoneUS(r *rand.Rand) (string, string) {
	area := pick(r, []string{"201", "202", "212", "213", "214", "206", "303", "305", "312", "404", "415", "503", "512", "602", "617", "646", "702", "713", "718", "773", "919"})
	exch := strconv.Itoa(2+r.IntN(8)) + digits(r, 2)
	if exch[1:] == "11" || exch == "555" {
		exch = "628"
	}
	line := digits(r, 4)
	var nat string
	switch r.IntN(6) {
	case 0, 1:
		nat = "(" + area + ") " + exch + "-" + line
	case 2:
		nat = area + "-" + exch + "-" + line
	case 3:
		nat = area + "." + exch + "." + line
	case 4:
		nat = "1-" + area + "-" + exch + "-" + line
	default:
		nat = area + exch + line
	}
	var intl string
	switch r.IntN(3) {
	case 0:
		intl = "+1 " + area + " " + exch + " " + line
	case 1:
		intl = "+1 (" + area + ") " + exch + "-" + line
	default:
		intl = "+1-" + area + "-" + exch + "-" + line
	}
	if r.IntN(50) == 0 {
		nat += " ext. " + digits(r, 3)
	}
	return nat, intl
}

func phoneGB(r *rand.Rand) (string, string) {
	if r.IntN(3) > 0 { // mobile 07xxx xxxxxx
		n := pick(r, []string{"71", "72", "73", "74", "75", "77", "78", "79"}) + digits(r, 8)
		nat := "0" + group(n, " ", 4)
		if r.IntN(3) == 0 {
			nat = "0" + n
		}
		return nat, pick(r, []string{"+44 " + group(n, " ", 4), "+44 (0)" + group(n, " ", 4), "0044 " + group(n, " ", 4), "+44" + n})
	}
	var area, rest string
	switch r.IntN(3) {
	case 0:
		area, rest = "20", pick(r, []string{"7", "3", "8"})+digits(r, 7)
	case 1:
		area, rest = "161", pick(r, []string{"2", "3", "4", "8"})+digits(r, 6)
	default:
		area, rest = "131", pick(r, []string{"2", "3", "4", "5"})+digits(r, 6)
	}
	sizes := []int{4}
	if area != "20" {
		sizes = []int{3}
	}
	nat := "0" + area + " " + group(rest, " ", sizes...)
	return nat, pick(r, []string{"+44 " + area + " " + group(rest, " ", sizes...), "+44 (0)" + area + " " + group(rest, " ", sizes...)})
}

func phoneDE(r *rand.Rand) (string, string) {
	var area, rest string
	switch r.IntN(6) {
	case 0:
		area, rest = "151", digits(r, 8)
	case 1:
		area, rest = "152", digits(r, 8)
	case 2:
		area, rest = "176", digits(r, 8)
	case 3:
		area, rest = "30", strconv.Itoa(2+r.IntN(8))+digits(r, 7)
	case 4:
		area, rest = "89", strconv.Itoa(2+r.IntN(8))+digits(r, 6)
	default:
		area, rest = "221", strconv.Itoa(2+r.IntN(8))+digits(r, 6)
	}
	nat := pick(r, []string{"0" + area + " " + rest, "0" + area + "/" + rest, "0" + area + "-" + group(rest, " ", 3, 3), "(0" + area + ") " + rest})
	intl := pick(r, []string{"+49 " + area + " " + rest, "+49 (0)" + area + " " + rest, "0049 " + area + " " + rest, "+49" + area + rest})
	return nat, intl
}

func phoneFR(r *rand.Rand) (string, string) {
	n := pick(r, []string{"6", "6", "7", "1", "4", "5"})
	if n == "7" {
		n += strconv.Itoa(5 + r.IntN(4))
		n += digits(r, 7)
	} else {
		n += digits(r, 8)
	}
	pairs := n[:1] + " " + group(n[1:], " ", 2, 2, 2)
	nat := pick(r, []string{"0" + pairs, "0" + strings.ReplaceAll(pairs, " ", "."), "0" + n})
	intl := pick(r, []string{"+33 " + pairs, "+33 (0)" + pairs, "0033 " + pairs, "+33" + n})
	return nat, intl
}

func phoneES(r *rand.Rand) (string, string) {
	var n string
	if r.IntN(3) > 0 {
		n = "6" + digits(r, 8)
	} else {
		n = pick(r, []string{"91", "93", "95", "96"}) + strconv.Itoa(1+r.IntN(8)) + digits(r, 6)
	}
	nat := pick(r, []string{group(n, " ", 3, 3), n, group(n, " ", 2, 3, 2)})
	intl := pick(r, []string{"+34 " + group(n, " ", 3, 3), "+34 " + n, "0034 " + group(n, " ", 3, 2, 2)})
	return nat, intl
}

func phoneIT(r *rand.Rand) (string, string) {
	var n string
	var sizes []int
	if r.IntN(3) > 0 {
		n, sizes = "3"+pick(r, []string{"20", "28", "33", "35", "38", "40", "45", "47", "49"})+digits(r, 7), []int{3, 3}
	} else {
		n, sizes = pick(r, []string{"06", "02"})+digits(r, 8), []int{2, 4}
	}
	nat := pick(r, []string{group(n, " ", sizes...), n})
	intl := pick(r, []string{"+39 " + group(n, " ", sizes...), "+39" + n, "0039 " + n})
	return nat, intl
}

func phoneNL(r *rand.Rand) (string, string) {
	var n string
	if r.IntN(3) > 0 {
		n = "6" + strconv.Itoa(1+r.IntN(5)) + digits(r, 7)
		nat := pick(r, []string{"0" + n, "06-" + n[1:], "06 " + n[1:]})
		return nat, pick(r, []string{"+31 6 " + n[1:], "+31 (0)6 " + n[1:], "+31" + n})
	}
	n = "20" + strconv.Itoa(2+r.IntN(8)) + digits(r, 6)
	nat := pick(r, []string{"020 " + group(n[2:], " ", 3), "020-" + n[2:]})
	return nat, pick(r, []string{"+31 20 " + group(n[2:], " ", 3), "+31 (0)20 " + n[2:]})
}

func phonePL(r *rand.Rand) (string, string) {
	var n string
	if r.IntN(4) > 0 {
		n = pick(r, []string{"50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"}) + digits(r, 7)
		nat := pick(r, []string{group(n, " ", 3, 3), group(n, "-", 3, 3), n})
		return nat, pick(r, []string{"+48 " + group(n, " ", 3, 3), "+48 " + group(n, "-", 3, 3), "+48" + n, "0048 " + n})
	}
	n = pick(r, []string{"22", "12", "42", "58", "71"}) + strconv.Itoa(2+r.IntN(7)) + digits(r, 6)
	nat := pick(r, []string{group(n, " ", 2, 3, 2), "(" + n[:2] + ") " + group(n[2:], " ", 3, 2)})
	return nat, pick(r, []string{"+48 " + group(n, " ", 2, 3, 2), "+48" + n})
}

func phoneBR(r *rand.Rand) (string, string) {
	area := pick(r, []string{"11", "21", "31", "41", "51", "61", "71", "81", "85", "19"})
	var n string
	if r.IntN(3) > 0 {
		n = "9" + strconv.Itoa(6+r.IntN(4)) + digits(r, 7)
	} else {
		n = strconv.Itoa(2+r.IntN(4)) + digits(r, 7)
	}
	dash := n[:len(n)-4] + "-" + n[len(n)-4:]
	nat := pick(r, []string{"(" + area + ") " + dash, area + " " + dash, "(" + area + ")" + n, "0" + area + " " + dash})
	intl := pick(r, []string{"+55 " + area + " " + dash, "+55 (" + area + ") " + dash, "+55" + area + n})
	return nat, intl
}

func phoneMX(r *rand.Rand) (string, string) {
	var area, n string
	if r.IntN(3) > 0 {
		area, n = pick(r, []string{"55", "33", "81"}), digits(r, 8)
	} else {
		area, n = pick(r, []string{"222", "442", "998", "999"}), strconv.Itoa(1+r.IntN(9))+digits(r, 6)
	}
	nat := pick(r, []string{area + " " + group(n, " ", len(n)-4), "(" + area + ") " + group(n, "-", len(n)-4), area + n})
	intl := pick(r, []string{"+52 " + area + " " + group(n, " ", len(n)-4), "+52 1 " + area + " " + n, "+52" + area + n})
	return nat, intl
}

// garbagePhones are values found in phone columns that are no numbers.
var garbagePhones = []string{"n/a", "N/A", "-", "none", "123", "555-1234", "call after 5pm", "0000000000", "+1 (555)",
	"tel: ?", "1234567890123456", "+999 123 456", "TBD", "ask reception", "#VALUE!", "4.15555E+09", "same as mobile", "0"}

var countries = []country{
	{code: "US", names: []string{"United States", "USA", "United States of America"}, weight: 30,
		first:  []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Ashley", "Mark", "Emily", "Zoë", "Renée", "José", "María"},
		last:   []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "O'Brien", "McDonald", "Nguyen", "Núñez"},
		cities: []string{"New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio", "San Diego", "Dallas", "San José", "Austin", "Seattle", "Denver", "Boston", "Miami", "Atlanta", "Portland"},
		mail:   []string{"gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "comcast.net"},
		tld:    "com", legal: []string{"Inc.", "LLC", "Corp.", ""}, phone: phoneUS},
	{code: "GB", names: []string{"United Kingdom", "UK", "England", "Great Britain"}, weight: 12,
		first:  []string{"Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Siobhán", "Niamh", "Seán", "Eóin", "Freya", "Alfie", "Poppy", "Rhys", "Chloë"},
		last:   []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "O'Connor", "Ó Súilleabháin", "MacLeod", "Patel"},
		cities: []string{"London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol", "Liverpool", "Sheffield", "Cardiff", "Belfast", "Newcastle upon Tyne"},
		mail:   []string{"gmail.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com", "outlook.com", "sky.com"},
		tld:    "co.uk", legal: []string{"Ltd", "Ltd.", "PLC", "LLP", ""}, phone: phoneGB},
	{code: "DE", names: []string{"Germany", "Deutschland"}, weight: 12,
		first:  []string{"Jürgen", "Günter", "Jörg", "Lukas", "Leon", "Finn", "Jonas", "Paul", "Maximilian", "Felix", "Anna", "Lena", "Lea", "Hannah", "Sophie", "Käthe", "Björn", "Sören", "Ursula", "Sabine", "Uwe", "Dieter", "Katrin", "Jürgen-Peter"},
		last:   []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Weiß", "Groß", "von Bülow", "Öztürk"},
		cities: []string{"Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig", "Dortmund", "Essen", "Bremen", "Nürnberg", "Lübeck", "Würzburg"},
		mail:   []string{"gmx.de", "web.de", "t-online.de", "gmail.com", "googlemail.com", "outlook.de", "posteo.de"},
		tld:    "de", legal: []string{"GmbH", "AG", "GmbH & Co. KG", "e.K.", ""}, phone: phoneDE},
	{code: "FR", names: []string{"France"}, weight: 10,
		first:  []string{"François", "Hélène", "Jérôme", "Amélie", "Gaëlle", "Céline", "Léa", "Chloé", "Zoé", "Inès", "Noël", "Benoît", "Thomas", "Nicolas", "Julien", "Camille", "Manon", "Louis", "Hugo", "Élodie", "Théo", "Maëlle"},
		last:   []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Bertrand", "Roux", "Fournier", "Girard", "Dupont", "Lambert", "Fontaine", "Rousseau", "Mercier", "André", "Leclerc", "Bénard"},
		cities: []string{"Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Lille", "Rennes", "Orléans", "Besançon", "Nîmes", "Saint-Étienne"},
		mail:   []string{"orange.fr", "free.fr", "laposte.net", "gmail.com", "wanadoo.fr", "sfr.fr", "hotmail.fr"},
		tld:    "fr", legal: []string{"SAS", "SARL", "S.A.", "SA", ""}, phone: phoneFR},
	{code: "ES", names: []string{"Spain", "España"}, weight: 7,
		first:  []string{"José", "María", "Antonio", "Carmen", "Manuel", "Josefa", "Francisco", "Ana", "David", "Lucía", "Javier", "Pilar", "Jesús", "Dolores", "Ángel", "Sofía", "Alejandro", "Martín", "Inés", "Iñaki", "Begoña", "Raúl"},
		last:   []string{"García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Núñez", "Peña"},
		cities: []string{"Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Murcia", "Palma", "Bilbao", "Alicante", "Córdoba", "Valladolid", "A Coruña", "Cádiz"},
		mail:   []string{"gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es"},
		tld:    "es", legal: []string{"S.L.", "S.A.", "SL", ""}, phone: phoneES},
	{code: "IT", names: []string{"Italy", "Italia"}, weight: 7,
		first:  []string{"Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Vincenzo", "Pietro", "Salvatore", "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Niccolò", "Ilaria", "Chiara", "Matteo"},
		last:   []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "D'Angelo", "Forlì", "Cantù"},
		cities: []string{"Roma", "Milano", "Napoli", "Torino", "Palermo", "Genova", "Bologna", "Firenze", "Bari", "Catania", "Venezia", "Verona", "Forlì", "Cantù"},
		mail:   []string{"libero.it", "virgilio.it", "gmail.com", "alice.it", "tiscali.it", "hotmail.it"},
		tld:    "it", legal: []string{"S.r.l.", "S.p.A.", "SRL", ""}, phone: phoneIT},
	{code: "NL", names: []string{"Netherlands", "Nederland", "Holland", "The Netherlands"}, weight: 5,
		first:  []string{"Daan", "Sem", "Lucas", "Milan", "Levi", "Luuk", "Bram", "Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sanne", "Anouk", "Fleur", "Ruud", "Joost", "Geert", "Marijke", "IJsbrand"},
		last:   []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "van der Meer", "IJzerman"},
		cities: []string{"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen", "'s-Hertogenbosch"},
		mail:   []string{"gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl", "live.nl", "xs4all.nl"},
		tld:    "nl", legal: []string{"B.V.", "BV", "N.V.", ""}, phone: phoneNL},
	{code: "PL", names: []string{"Poland", "Polska"}, weight: 5,
		first:  []string{"Łukasz", "Małgorzata", "Paweł", "Michał", "Wojciech", "Krzysztof", "Piotr", "Tomasz", "Jakub", "Kamil", "Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Zofia", "Żaneta", "Jędrzej", "Grażyna", "Bożena", "Mateusz", "Agata"},
		last:   []string{"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Pawłowski", "Michalski", "Król", "Wróbel", "Jabłoński", "Zając", "Górski"},
		cities: []string{"Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Bydgoszcz", "Lublin", "Białystok", "Katowice", "Gdynia", "Częstochowa", "Toruń"},
		mail:   []string{"wp.pl", "onet.pl", "o2.pl", "interia.pl", "gmail.com", "op.pl"},
		tld:    "pl", legal: []string{"Sp. z o.o.", "S.A.", "sp.j.", ""}, phone: phonePL},
	{code: "BR", names: []string{"Brazil", "Brasil"}, weight: 6,
		first:  []string{"João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline", "Conceição", "Gabriel", "Thiago", "Letícia"},
		last:   []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Gonçalves", "Araújo", "Simões", "Conceição"},
		cities: []string{"São Paulo", "Rio de Janeiro", "Brasília", "Salvador", "Fortaleza", "Belo Horizonte", "Manaus", "Curitiba", "Recife", "Goiânia", "Belém", "Porto Alegre", "Florianópolis", "Niterói"},
		mail:   []string{"gmail.com", "hotmail.com", "uol.com.br", "bol.com.br", "terra.com.br", "yahoo.com.br", "outlook.com"},
		tld:    "com.br", legal: []string{"Ltda.", "Ltda", "S.A.", "ME", ""}, phone: phoneBR},
	{code: "MX", names: []string{"Mexico", "México"}, weight: 6,
		first:  []string{"José", "Juan", "Miguel", "Luis", "Jorge", "Alejandro", "Carlos", "Fernando", "Ricardo", "Jesús", "Guadalupe", "María", "Verónica", "Leticia", "Rosa", "Adriana", "Gabriela", "Ximena", "Sofía", "Valentina", "Regina", "Itzel"},
		last:   []string{"Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Mendoza", "Aguilar", "Chávez", "Juárez", "Guzmán", "Xóchitl"},
		cities: []string{"Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Tijuana", "León", "Juárez", "Zapopan", "Mérida", "Cancún", "Querétaro", "San Luis Potosí", "Toluca"},
		mail:   []string{"gmail.com", "hotmail.com", "yahoo.com.mx", "outlook.com", "prodigy.net.mx", "live.com.mx"},
		tld:    "com.mx", legal: []string{"S.A. de C.V.", "SA de CV", "S. de R.L.", ""}, phone: phoneMX},
}

// countryWeights is the cumulative weight of countries, for pickCountry.
var countryWeights = func() []int {
	w := make([]int, len(countries))
	sum := 0
	for i, c := range countries {
		sum += c.weight
		w[i] = sum
	}
	return w
}()

func pickCountry(r *rand.Rand) int {
	n := r.IntN(countryWeights[len(countryWeights)-1])
	for i, w := range countryWeights {
		if n < w {
			return i
		}
	}
	return len(countries) - 1
}

// Company names: numCompanies distinct ones built from two word lists, each
// with a home country (for its legal form and domain); a row picks one with
// a skewed distribution (a few big customers, a long tail).
var (
	companyA = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Nordic", "Blue", "Silver", "Red", "Green", "Atlas",
		"Summit", "Pioneer", "Vertex", "Nova", "Apex", "Quantum", "Fusion", "Bright", "Iron", "Golden", "Harbor", "River", "Lake", "Mountain",
		"Oak", "Pine", "Cedar", "Maple", "Eagle", "Falcon", "Lion", "Phoenix", "Orion", "Polaris", "Zenith", "Meridian", "Horizon", "Crescent",
		"Sterling", "Liberty", "Union", "Central", "Metro", "Urban", "Coastal", "Alpine", "Müller", "Schröder", "Łódź", "São Jorge", "Córdoba",
		"Bäckerei Krüger", "Café Lumière", "Zürich", "Élan", "Nørre", "Kraków", "Ibérica", "Azteca", "Tulipa", "Delta", "Sigma", "Omega",
		"Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Litware", "Proseware", "Adventure", "Blue Yonder", "Coho", "Lucerne",
		"Margie's", "Trey", "Wide World", "Fourth Coffee"}
	companyB = []string{"Systems", "Solutions", "Logistics", "Consulting", "Labs", "Foods", "Media", "Energy", "Capital", "Partners",
		"Technologies", "Software", "Design", "Health", "Pharma", "Motors", "Textiles", "Bau", "Werke", "Handel", "Immobilien", "Group",
		"Holdings", "Industries", "Trading", "Services", "Analytics", "Robotics", "Studios", "Travel", "Insurance", "Bank", "Retail",
		"Electric", "Construction", "Marketing", "Networks", "Ventures", "Dynamics"}
)

const numCompanies = 3000

type company struct {
	name    string // without legal form
	legal   string
	country int
}

var companies = func() []company {
	// A fixed permutation of the A×B pairs (independent of the seed:
	// the same companies in every file).
	r := rand.New(rand.NewPCG(0xC0FFEE, 42))
	n := len(companyA) * len(companyB)
	perm := r.Perm(n)
	cs := make([]company, numCompanies)
	for i := range cs {
		p := perm[i%n]
		a, b := companyA[p/len(companyB)], companyB[p%len(companyB)]
		c := pickCountry(r)
		cs[i] = company{name: a + " " + b, legal: pick(r, countries[c].legal), country: c}
	}
	return cs
}()

// companyName renders company k, sometimes as a near-duplicate spelling.
func companyName(r *rand.Rand, k int) string {
	c := companies[k]
	full := c.name
	if c.legal != "" {
		full += " " + c.legal
	}
	if r.Float64() >= shareCompanyVarian {
		return full
	}
	switch r.IntN(6) {
	case 0:
		return strings.ToUpper(full)
	case 1:
		return c.name // without the legal form
	case 2:
		if c.legal != "" {
			return c.name + ", " + strings.TrimSuffix(c.legal, ".")
		}
		return c.name + " Inc"
	case 3:
		return "  " + full + " "
	case 4:
		return strings.ToLower(full)
	default: // a typo: two letters swapped
		b := []rune(c.name)
		if i := 1 + r.IntN(len(b)-2); b[i] != ' ' && b[i+1] != ' ' {
			b[i], b[i+1] = b[i+1], b[i]
		}
		return string(b) + " " + c.legal
	}
}

// fold turns a name into the ASCII letters an e-mail address would use.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == ' ' || r == '\'' || r == '-':
		default:
			if f, ok := foldMap[r]; ok {
				b.WriteString(f)
			}
		}
	}
	return b.String()
}

var foldMap = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'ł': "l", 'Ł': "l", 'ø': "o", 'Ø': "o", 'æ': "ae"}
	for _, p := range []string{"aàáâãäåą", "AÀÁÂÃÄÅ", "cçćč", "CÇĆ", "eèéêëę", "EÈÉÊË", "iìíîï", "IÌÍÎÏ", "nñń", "NÑ", "oòóôõö",
		"OÒÓÔÕÖ", "sśš", "SŚŠ", "uùúûü", "UÙÚÛÜ", "zźżž", "ZŹŻŽ", "yý"} {
		rs := []rune(p)
		for _, r := range rs[1:] {
			m[r] = strings.ToLower(string(rs[0]))
		}
	}
	return m
}()

// identity is who a row is about: what a repeated row shares with the row
// it repeats.
type identity struct {
	country     int
	first, last string
	email       string
}

// emailKind is what a row's e-mail is.
type emailKind uint8

const (
	emailUnique emailKind = iota
	emailBad
	emailRepeated
)

// generator writes the rows of one file; row i draws from its own two
// streams (seed, 2i) for its identity and (seed, 2i+1) for the rest, so any
// row can be regenerated to repeat its e-mail without keeping it.
type generator struct {
	seed uint64
	mod  uint64 // e-mail numbers are a bijection of the row index mod this
}

func (g *generator) rng(i int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, uint64(i)*2+stream))
}

func (g *generator) kind(r *rand.Rand, i int) emailKind {
	u := r.Float64()
	switch {
	case u < shareBadEmail:
		return emailBad
	case u < shareBadEmail+shareRepeatedEmail && i > 0:
		return emailRepeated
	}
	return emailUnique
}

// identity returns row i's kind and identity; its e-mail is the row's own
// valid address, unique in the file (bad rows mangle it, repeated rows
// use another row's).
func (g *generator) identity(i int) (emailKind, identity) {
	r := g.rng(i, 0)
	k := g.kind(r, i)
	c := pickCountry(r)
	co := &countries[c]
	id := identity{country: c, first: pick(r, co.first), last: pick(r, co.last)}
	f, l := fold(id.first), fold(id.last)
	if f == "" {
		f = "contact"
	}
	// 2654435761 is odd and not a multiple of 5: a bijection mod 10^k.
	num := strconv.FormatUint((uint64(i)*2654435761+12345)%g.mod, 10)
	var local string
	switch r.IntN(6) {
	case 0:
		local = f + "." + l + num
	case 1:
		local = f + l + num
	case 2:
		local = f[:1] + "." + l + num
	case 3:
		local = f + "_" + l + "." + num
	case 4:
		local = l + "." + f + num
	default:
		local = f + num
	}
	domain := pick(r, co.mail)
	if r.IntN(10) < 3 {
		cc := &companies[r.IntN(numCompanies)]
		domain = fold(cc.name) + "." + countries[cc.country].tld
	}
	if r.IntN(12) == 0 { // as some people type it
		local = strings.ToUpper(local[:1]) + local[1:]
	}
	id.email = local + "@" + domain
	return k, id
}

// badEmail mangles a valid address into one no validator accepts.
func badEmail(r *rand.Rand, e string) string {
	at := strings.IndexByte(e, '@')
	local, domain := e[:at], e[at+1:]
	switch r.IntN(8) {
	case 0:
		return local + domain // no @
	case 1:
		return local + "@@" + domain
	case 2:
		return local + "@"
	case 3:
		return "@" + domain
	case 4:
		return strings.Replace(local, ".", " ", 1) + " @" + domain
	case 5:
		return local + "@" + strings.Replace(domain, ".", ",", 1)
	case 6:
		return local + "@" + domain + ".."
	default:
		return local + "@" + domain + "; " + local + "@work"
	}
}

// generate writes a contacts CSV of rows data rows for seed to w, streaming.
func generate(w io.Writer, rows int, seed uint64) (genStats, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 256<<10)
	out := csv.NewWriter(bw)
	st := genStats{Rows: rows}
	g := &generator{seed: seed, mod: 10_000_000}
	for g.mod < uint64(rows) {
		g.mod *= 10
	}
	if err := out.Write(header); err != nil {
		return st, err
	}
	rec := make([]string, len(header))
	for i := range rows {
		g.row(i, rec, &st)
		if err := out.Write(rec); err != nil {
			return st, err
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return st, err
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	st.Bytes = cw.n
	return st, nil
}

// row fills rec with row i.
func (g *generator) row(i int, rec []string, st *genStats) {
	kind, id := g.identity(i)
	r := g.rng(i, 1)
	email := id.email
	switch kind {
	case emailBad:
		email = badEmail(r, email)
		st.BadEmails++
	case emailRepeated:
		// Repeat the nearest earlier row at or below a random one that has
		// a valid address of its own; the same person, maybe re-typed.
		j := r.IntN(i)
		for ; j > 0; j-- {
			if g.kind(g.rng(j, 0), j) == emailUnique {
				break
			}
		}
		kj, idj := g.identity(j)
		if kj != emailUnique { // only row 0 can get here
			email = badEmail(r, email)
			st.BadEmails++
			break
		}
		id = idj
		email = idj.email
		switch r.IntN(4) {
		case 0:
			email = strings.ToUpper(email)
		case 1:
			email = strings.ToLower(email)
		}
		st.RepeatedEmails++
	default:
		st.UniqueEmails++
	}
	co := &countries[id.country]

	first, last := id.first, id.last
	switch r.IntN(40) {
	case 0:
		first = ""
	case 1:
		last = ""
	case 2:
		first, last = strings.ToUpper(first), strings.ToUpper(last)
	}

	// The phone: empty, garbage, or a number of the contact's country
	// (sometimes of another one) in a national or international format.
	var phone string
	pc := id.country
	switch u := r.Float64(); {
	case u < shareEmptyPhone:
		st.EmptyPhones++
	case u < shareEmptyPhone+shareGarbagePhone:
		phone = pick(r, garbagePhones)
		st.GarbagePhones++
	default:
		if r.Float64() < shareForeignPhone {
			pc = pickCountry(r)
		}
		nat, intl := countries[pc].phone(r)
		phone = nat
		if r.IntN(5) < 2 {
			phone = intl
		}
	}

	// The country: the phone's (or the contact's) most of the time, as
	// an ISO code or a name; sometimes another one, or none.
	var ctry string
	switch u := r.Float64(); {
	case u < 0.05:
	case u < 0.08:
		ctry = countries[pickCountry(r)].code
	default:
		c := &countries[pc]
		switch v := r.IntN(20); {
		case v < 9:
			ctry = c.code
		case v < 17:
			ctry = c.names[0]
		default:
			ctry = pick(r, c.names)
		}
	}

	var comp string
	if r.Float64() >= shareEmptyCompany {
		u := r.Float64()
		comp = companyName(r, int(float64(numCompanies)*u*u*u))
	}

	var city string
	if r.IntN(20) > 0 {
		city = pick(r, co.cities)
	}

	var birthday string
	switch u := r.IntN(100); {
	case u < 40:
	case u < 95:
		birthday = fmt.Sprintf("%04d-%02d-%02d", 1940+r.IntN(66), 1+r.IntN(12), 1+r.IntN(28))
	default:
		birthday = pick(r, []string{"1985-13-02", "1990-02-30", "31/12/1984", "12/31/1984", "19850321", "unknown", "1985-3-7", "0000-00-00", "n/a"})
	}

	var tags string
	if r.IntN(100) >= 45 {
		n := 1 + r.IntN(3)
		ts := make([]string, 0, n)
		for range n {
			t := pick(r, tagNames)
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
		tags = strings.Join(ts, "|")
	}

	var news string
	switch u := r.IntN(100); {
	case u < 38:
		news = "subscribed"
	case u < 40:
		news = "Subscribed"
	case u < 50:
		news = "unsubscribed"
	case u < 65:
		news = "none"
	case u < 71:
		news = "yes"
	case u < 75:
		news = "no"
	}

	rec[0], rec[1], rec[2], rec[3], rec[4] = email, first, last, phone, comp
	rec[5], rec[6], rec[7], rec[8], rec[9] = city, ctry, birthday, tags, news
}

var tagNames = []string{"customer", "lead", "vip", "newsletter", "event-2024", "webinar", "partner", "trial", "churned", "beta", "Messe München", "clé"}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
