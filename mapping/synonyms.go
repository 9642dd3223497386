package mapping

import (
	"strings"
)

// A concept is something a header can mean (an e-mail address, a first
// name, a city), independent of the host's schema. A header is matched to a
// concept by the built-in synonyms, and the concept to a schema field by
// role or key (see index.resolve).
type concept struct {
	name  string // identifies the concept; also its description in reasons
	role  Role   // the role of the field that takes it, if any
	keys  []string
	label string // how reasons name it
	// fallback is the concept whose field takes this one when no field
	// resolves (a mobile number goes to the phone field), with the
	// confidence multiplied by fallbackWeight.
	fallback       string
	fallbackWeight float64
	// example is the example value of a template's Text field that means
	// this concept.
	example string
}

var concepts = map[string]*concept{}

func defConcept(c concept) {
	for i, k := range c.keys {
		c.keys[i] = NormalizeHeader(k)
	}
	concepts[c.name] = &c
}

func init() {
	for _, c := range []concept{
		{name: "email", label: "e-mail address", role: RoleEmail, keys: []string{"email", "email_address", "mail"}, example: "jane.doe@example.com"},
		{name: "phone", label: "phone number", role: RolePhone, keys: []string{"phone", "phone_number", "telephone", "tel"}, example: "+1 415 555 0132"},
		{name: "mobile", label: "mobile number", keys: []string{"mobile", "mobile_phone", "mobile_number", "cell", "cell_phone"}, fallback: "phone", fallbackWeight: 0.95},
		{name: "fax", label: "fax number", keys: []string{"fax", "fax_number"}},
		{name: "first_name", label: "first name", role: RoleFirstName, keys: []string{"first_name", "firstname", "given_name", "forename", "fname"}, example: "Jane"},
		{name: "last_name", label: "last name", role: RoleLastName, keys: []string{"last_name", "lastname", "surname", "family_name", "lname"}, example: "Doe"},
		{name: "full_name", label: "full name", role: RoleFullName, keys: []string{"name", "full_name", "fullname", "contact_name", "display_name"}, example: "Jane Doe"},
		{name: "middle_name", label: "middle name", keys: []string{"middle_name", "middlename"}},
		{name: "salutation", label: "salutation", keys: []string{"salutation", "name_prefix", "prefix"}, example: "Ms"},
		{name: "name_suffix", label: "name suffix", keys: []string{"name_suffix", "suffix"}},
		{name: "nickname", label: "nickname", keys: []string{"nickname"}},
		{name: "account", label: "company", role: RoleAccount, keys: []string{"account", "company", "company_name", "organization", "organisation", "account_name"}, example: "Example Inc."},
		{name: "department", label: "department", keys: []string{"department"}, example: "Sales"},
		{name: "job_title", label: "job title", keys: []string{"job_title", "jobtitle", "title", "position"}, example: "Sales manager"},
		{name: "street", label: "street address", keys: []string{"street", "street_address", "address_line1", "address_line_1", "address1", "address"}, example: "1 Main Street"},
		{name: "address_line2", label: "address line 2", keys: []string{"address_line2", "address_line_2", "address2", "street2"}, example: "Suite 100"},
		{name: "address", label: "postal address", keys: []string{"address", "full_address", "postal_address", "formatted_address", "mailing_address"}, fallback: "street", fallbackWeight: 0.9},
		{name: "po_box", label: "PO box", keys: []string{"po_box"}},
		{name: "city", label: "city", keys: []string{"city", "town", "locality"}, example: "Springfield"},
		{name: "state", label: "state or region", keys: []string{"state", "province", "region", "state_province", "county"}, example: "CA"},
		{name: "postal_code", label: "postal code", keys: []string{"postal_code", "postcode", "zip", "zip_code", "zipcode"}, example: "94105"},
		{name: "country", label: "country", role: RoleCountry, keys: []string{"country", "country_code", "country_name"}, example: "United States"},
		{name: "birthday", label: "birthday", keys: []string{"birthday", "birth_date", "birthdate", "date_of_birth", "dob"}, example: "1990-05-17"},
		{name: "tags", label: "tags", role: RoleTags, keys: []string{"tags", "tag", "labels", "groups", "categories", "segments"}, example: "customer|newsletter"},
		{name: "notes", label: "notes", keys: []string{"notes", "note", "comments", "comment", "description"}, example: "Met at the trade fair"},
		{name: "website", label: "website", keys: []string{"website", "url", "homepage", "web_page"}, example: "https://example.com"},
		{name: "gender", label: "gender", keys: []string{"gender", "sex"}},
		{name: "language", label: "language", keys: []string{"language", "locale", "lang"}, example: "en"},
		{name: "external_id", label: "external ID", role: RoleExternalID, keys: []string{"external_id", "id", "contact_id", "record_id", "customer_id"}, example: "C-1001"},
		{name: "other", label: "a known column that is not a contact field"},
		{name: "status", label: "subscription status", role: RoleStatus, keys: []string{"newsletter", "subscription", "subscription_status", "status", "marketing_status", "email_status", "opt_in", "consent"}},
		{name: "status_inverted", label: "unsubscribe flag (yes means unsubscribed)", role: RoleStatus},
		{name: "status_unsub_time", label: "unsubscribe time (filled means unsubscribed)", role: RoleStatus},
		{name: "birth_year", label: "year of birth", fallback: "birthday", fallbackWeight: 0.9},
		{name: "birth_month", label: "month of birth", fallback: "birthday", fallbackWeight: 0.9},
		{name: "birth_day", label: "day of birth", fallback: "birthday", fallbackWeight: 0.9},
	} {
		defConcept(c)
	}
	for _, row := range synonymTable {
		for _, p := range strings.Split(row.phrases, ",") {
			addSynonym(row.concept, p)
		}
	}
	for _, w := range strings.Fields(noiseList) {
		noise[NormalizeHeader(w)] = true
	}
	for _, w := range strings.Fields(blockerList) {
		blockers[NormalizeHeader(w)] = true
	}
	for _, w := range strings.Fields(typoDenyList) {
		typoDeny[w] = true
	}
	for _, w := range strings.Fields(unnamedList) {
		unnamed[w] = true
	}
	for _, w := range strings.Fields(genericList) {
		generic[NormalizeHeader(w)] = true
	}
}

// synonym is what a normalized phrase means.
type synonym struct {
	concept string
	weight  float64 // 1, or less for ambiguous phrases
	partial bool    // may be found inside a longer header ("Address 1 - City")
}

// synonyms maps normalized phrases to their meaning.
var synonyms = map[string]synonym{}

// conceptWords are single words that are themselves synonyms: a header
// that contains one of them next to a partial match is about something
// else ("Company Main Phone" is not a company, nor a contact's phone).
var conceptWords = map[string]string{}

// addSynonym adds one phrase of the table: a trailing "+" lets it match
// inside a longer header, a trailing "~" makes it weak (ambiguous).
func addSynonym(concept, p string) {
	p = strings.TrimSpace(p)
	if p == "" {
		return
	}
	s := synonym{concept: concept, weight: 1}
	for {
		switch {
		case strings.HasSuffix(p, "+"):
			s.partial = true
			p = p[:len(p)-1]
			continue
		case strings.HasSuffix(p, "~"):
			s.weight = 0.8
			p = p[:len(p)-1]
			continue
		}
		break
	}
	n := NormalizeHeader(p)
	if concepts[concept] == nil {
		panic("mapping: synonym " + p + " of unknown concept " + concept)
	}
	if old, dup := synonyms[n]; dup && old.concept != concept {
		panic("mapping: synonym " + n + " for " + concept + " and " + old.concept)
	}
	synonyms[n] = s
	if !strings.Contains(n, " ") {
		conceptWords[n] = concept
	}
}

// synonymTable lists the built-in synonyms per concept: English first, then
// German, French, Spanish, Portuguese, Italian, Dutch and Polish, then the
// spellings of well-known exports. Phrases are normalized with
// NormalizeHeader, so accents, case and punctuation do not matter here.
// A trailing "+" lets a phrase match inside a longer header; "~" marks an
// ambiguous phrase that other columns beat.
var synonymTable = []struct{ concept, phrases string }{
	{"email", `email+, e-mail+, mail~, email address+, e-mail address+, mail address, emailaddress, email addr,
		email id, emails,
		E-Mail-Adresse+, Emailadresse, Mailadresse, Mail-Adresse,
		courriel+, adresse email, adresse e-mail+, adresse mail, adresse courriel, adresse électronique, mél,
		correo+, correo electrónico+, dirección de correo, dirección de correo electrónico, dirección de email, email de contacto,
		correio eletrônico+, correio electrónico, endereço de email, endereço de e-mail, endereço eletrônico,
		posta elettronica+, indirizzo email, indirizzo e-mail, indirizzo di posta elettronica, indirizzo mail,
		e-mailadres+, emailadres, mailadres,
		adres e-mail+, adres email, adres mailowy, poczta elektroniczna, poczta e-mail,
		adresse de messagerie, indirizzo posta elettronica, 电子邮件 地址, 電子メール アドレス, 電子メール, 電子郵件, 电子邮箱, 이메일 주소, e-mailová adresa, メールアドレス, 电子邮件地址, 电子邮件, 邮箱, 전자 메일 주소, 이메일, адрес эл почты, адрес электронной почты, электронная почта, e-postadress, e-post, e-posta adresi, e-posta, endereço de email,
		elektronik posta+, elektronik posta adresi, elektronik posta adres, dirección del correo electrónico`},
	{"phone", `phone+, phone number+, telephone+, telephone number, tel, tel no, phone no, phone nr, contact number,
		landline, direct line, direct dial, phones, sms~,
		Telefon+, Telefonnummer+, Rufnummer, Festnetz, Telefon geschäftlich, Telefon privat,
		téléphone+, numéro de téléphone, tél, téléphone fixe, fixe,
		teléfono+, número de teléfono, teléfono fijo,
		telefone+, número de telefone, fone, telefone fixo,
		telefono+, numero di telefono, telefono fisso,
		telefoon+, telefoonnummer+, vaste telefoon,
		numer telefonu+, nr telefonu, telefon stacjonarny,
		会社電話, 電話番号, 电话, 商务电话, 근무지 전화, 전화, 전화번호, телефон, рабочий телефон, telefonu, iş telefonu, ufficio,
		근무처 전화, iş telefon no, arbete,
		電話, 电话号码, 電話號碼, telefonní číslo, номер телефона,
		téléphone bureau, teléfono del trabajo, telefone comercial, telefoon op werk, telefon służbowy`},
	{"mobile", `mobile+, mobile phone+, phone mobile, phone cell, mobile cell, mobile number, mobile phone number, cell, cell phone+, cellphone, cell number, mobile no,
		Handy, Mobil, Mobiltelefon+, Handynummer, Mobilnummer, Mobilfunknummer, Telefon mobil,
		portable, téléphone portable, téléphone mobile, numéro de portable, gsm,
		móvil, celular+, teléfono móvil, teléfono celular, número de móvil,
		telemóvel, telefone celular, número de celular,
		cellulare+, telefono cellulare, numero di cellulare,
		mobiel, mobiel nummer, mobiele telefoon, mobielnummer,
		komórka, telefon komórkowy, tel kom, numer komórki,
		手機, 行動電話, 携帯電話番号, mobilní telefon, 휴대전화,
		tél mobile, tel mobile, 携帯電話, 携帯, 移动电话, 手机, 휴대폰, 휴대 전화, телефон переносной, мобильный телефон, мобильный, cep telefonu`},
	{"fax", `fax+, fax number, telefax, business fax, home fax, other fax, télécopie, numéro de fax`},
	{"first_name", `first name+, firstname, given name+, forename, first, fname, christian name, name first, first names,
		Vorname+, Rufname,
		prénom+,
		nombre~, nombre de pila, primer nombre,
		nome~, primeiro nome, nome próprio,
		voornaam+, roepnaam,
		imię+,
		名, 名字, jméno, křestní jméno, 이름, имя, förnamn, ad~, adı,
		ilk adı`},
	{"last_name", `last name+, lastname, surname+, family name+, last, lname, name last, second name~,
		Nachname+, Familienname, Zuname,
		nom~, nom de famille,
		apellido+, apellidos, primer apellido,
		sobrenome+, apelido, último nome,
		cognome+,
		achternaam+, familienaam,
		nazwisko+,
		姓, 姓氏, příjmení, 성, фамилия, efternamn, soyadı, soyad`},
	{"full_name", `name~, full name+, fullname, contact name, display name, contact~, person name, customer name, contact person,
		Kontaktperson, Ansprechpartner, vollständiger Name, Kontaktname,
		nom complet, nom et prénom, prénom et nom, nom prénom, prénom nom,
		nombre completo, nombre y apellidos, nombre y apellido,
		nome completo,
		naam, volledige naam, contactpersoon,
		imię i nazwisko, pełne imię,
		氏名, 姓名, 全名, celé jméno, фио, полное имя`},
	{"middle_name", `middle name+, middle names, middle initial, additional name, zweiter Vorname, deuxième prénom, segundo nombre, nome do meio, secondo nome, tussenvoegsel, drugie imię,
		ミドル ネーム, 中间名, 중간 이름, отчество, mellannamn, ikinci ad, middelste naam, segundo nome, weitere vornamen,
		ikinci adı`},
	{"salutation", `salutation, name prefix, prefix, honorific, Anrede, civilité, tratamiento, saludo, saudação, titolo di cortesia, aanhef, zwrot grzecznościowy`},
	{"name_suffix", `name suffix, suffix`},
	{"nickname", `nickname, nick name, short name, Spitzname, surnom, apodo, apelido informal, soprannome, bijnaam, pseudonim`},
	{"account", `company+, company name+, organization+, organisation+, organization name, organisation name, org, account~, account name, employer, business name,
		Firma+, Unternehmen+, Firmenname, Organisation, Arbeitgeber, Betrieb,
		entreprise+, société+, nom de l'entreprise, nom de la société, employeur, raison sociale,
		empresa+, compañía, organización, nombre de la empresa, razón social,
		companhia, organização, nome da empresa,
		azienda+, società, ditta, organizzazione, nome azienda, ragione sociale,
		bedrijf+, bedrijfsnaam, organisatie, onderneming,
		nazwa firmy, organizacja, przedsiębiorstwo,
		会社名, 会社, 公司, 公司名称, společnost, 회사, 회사명, название компании, организация, компания, företag, şirket,
		单位`},
	{"department", `department+, dept, organization department, organisation department, Abteilung, service~, departamento, dipartimento, reparto, afdeling, dział,
		部署, 部门, 부서, отдел, avdelning, bölüm`},
	{"job_title", `job title+, title~, position~, job, job position, job role, role~, designation, occupation, jobtitle, profession, organization title, organisation title,
		Berufsbezeichnung, Jobtitel, Funktion, Beruf, Stellung,
		poste, fonction, titre~, intitulé du poste,
		cargo, puesto, ocupación, profesión,
		função, profissão,
		qualifica, ruolo, posizione, mansione, professione,
		functie, functietitel, beroep,
		stanowisko, funkcja, zawód,
		役職, 职务, 직함, должность, befattning, iş unvanı, unvan`},
	{"street", `street+, street address+, address~, address 1+, address line 1+, address1, addr1, street 1, street line 1, street and number,
		Straße+, Strasse und Hausnummer, Straße und Hausnummer, Adresse~, Anschrift,
		rue, adresse postale~, numéro et rue,
		calle, dirección~, domicilio,
		rua, endereço~, logradouro,
		via~, indirizzo~,
		straat, straatnaam, adres~,
		ulica, adres zamieszkania,
		番地, 街道, 번지, улица, gatuadress, cadde,
		番地 会社, 番地 自宅, adres służbowy ulica, adres domowy ulica`},
	{"address_line2", `address 2+, address line 2+, address2, addr2, street 2, street line 2, extended address+, address line 2 (optional),
		Adresszusatz, complément d'adresse, complemento, dirección 2, indirizzo 2, adresregel 2`},
	{"address", `full address, postal address, mailing address, formatted address, address formatted, complete address,
		Postanschrift, vollständige Adresse, adresse complète, dirección completa, endereço completo, indirizzo completo, volledig adres, pełny adres`},
	{"po_box", `po box, p o box, post office box, postfach, boîte postale, apartado postal, caixa postal, casella postale, postbus, skrytka pocztowa, 商务地址 邮箱, 住宅地址 邮箱, 其他地址 邮箱, 私書箱, 사서함`},
	{"city", `city+, town+, locality, municipality, city town,
		Stadt+, Ort+, Wohnort, Gemeinde,
		ville+, localité, commune,
		ciudad+, localidad, municipio, población,
		cidade+, localidade, município,
		città+, comune, località,
		stad, plaats+, woonplaats,
		miasto+, miejscowość+,
		市区町村, 市 县, 구 군 시, город, şehir,
		市町村, 市町村 会社, 市町村 自宅, 집 주소 구 군 시, adres służbowy miejscowość, adres domowy miejscowość, hemort, Ort geschäftlich, Ort privat, ciudad de trabajo`},
	{"state", `state+, province+, region+, state province, state region, county, state code, province code, region code,
		Bundesland, Kanton,
		département~, région,
		provincia+, estado~, comunidad autónoma,
		regione, distretto,
		provincie,
		województwo+, stan`},
	{"postal_code", `zip+, zip code+, postal code+, postcode+, post code, zipcode, postal, zip postal code, postal zip code, zip postcode,
		Postleitzahl+, PLZ+,
		code postal+, cp~,
		código postal+,
		cep,
		cap~, codice postale, codice di avviamento postale,
		kod pocztowy+,
		郵便番号, 邮政编码, 우편 번호, индекс, почтовый индекс, postnummer, posta kodu,
		郵便番号 会社, 郵便番号 自宅, adres służbowy kod pocztowy, adres domowy kod pocztowy, postadress arbete, postnr`},
	{"country", `country+, country name, country code, nation, country region, country or region, cc~,
		Land+, Staat~,
		pays+,
		país+, nación,
		paese+, nazione,
		kraj+,
		国 地域, 国家 地区, 国, 국가, страна или регион, страна, land region, pays region, país o región, pais region, país região, kraj region, paese area geografica, land regio, ülke bölge, ülke,
		国 会社 地域, 国 自宅 地域, 근무지 국가 지역, 집 주소 국가 지역, adres służbowy kraj region, adres domowy kraj region, país região da empresa, país região de residência, land hem`},
	{"birthday", `birthday+, birth date, birthdate, date of birth, dob, born,
		Geburtstag+, Geburtsdatum+,
		anniversaire, date de naissance+,
		cumpleaños, fecha de nacimiento+,
		aniversário, data de nascimento+,
		compleanno, data di nascita+,
		verjaardag, geboortedatum+,
		data urodzenia+, urodziny,
		誕生日, 生日, 생일, день рождения, födelsedag, doğum günü`},
	{"tags", `tags+, tag+, labels+, groups~, group membership, categories~, category~, segments, segment~, keywords, lists~,
		Schlagworte, Schlagwörter, Etiketten, Gruppen, Kategorien, Stichworte,
		étiquettes, groupes, mots-clés, catégories,
		etiquetas, grupos, categorías, palabras clave,
		marcadores, categorias,
		etichette, gruppi, categorie, parole chiave,
		groepen, trefwoorden, categorieën,
		tagi, etykiety, grupy, kategorie, słowa kluczowe,
		分類, 类别, 범주, категории, kategorier, kategoriler,
		범주 항목`},
	{"notes", `notes+, note, comments, comment, remarks, description~,
		Notizen, Notiz, Bemerkung, Bemerkungen, Kommentar, Anmerkungen,
		remarques, commentaire, commentaires,
		notas, comentarios, observaciones,
		observações, comentários,
		commenti, osservazioni,
		notities, opmerkingen,
		uwagi, notatki,
		メモ, 附注, 备注, 메모, заметки, anteckningar, notlar, anotações`},
	{"website", `website+, web site, url~, homepage, web page, web, site~, Webseite, Internetseite, site web, sitio web, página web, sito web, strona www, strona internetowa`},
	{"gender", `gender, sex, Geschlecht, sexe, genre~, género, sexo, genere, sesso, geslacht, płeć`},
	{"language", `language, preferred language, locale, Sprache, langue, idioma, lingua, taal, język`},
	{"external_id", `id~, external id, record id, contact id, customer id, crm id, member id, unique id, user id,
		Kundennummer, Kunden-ID, numéro client, identifiant, número de cliente, codice cliente, klantnummer, numer klienta`},
	{"status", `newsletter+, subscription status, email status, subscribed, subscriber status, opt in, email opt in, accepts marketing,
		accepts email marketing, email marketing consent, marketing consent, marketing status, newsletter status, subscription,
		Newsletter-Anmeldung, abonniert, Einwilligung, abonné, inscrit à la newsletter, suscrito, suscripción, inscrito, assinante,
		iscritto, iscrizione newsletter, ingeschreven, nieuwsbrief, subskrypcja, zgoda marketingowa,
		subscribed to emails, subscribed to newsletter, email subscription, email subscribed, accepts newsletter, status~, subscriber status`},
	{"status_inverted", `unsubscribed, unsubscribe, opted out, email opt out, has opted out of email, do not email, email unsubscribed,
		unsubscribed from emails, abgemeldet, désabonné, désinscrit, dado de baja, disiscritto, uitgeschreven, wypisany`},
	{"status_unsub_time", `unsub time, unsubscribe time, unsubscribed at, unsubscribe date, unsubscribed date, unsub date,
		opt out date, opted out at, date unsubscribed, unsubscribed on`},
	{"birth_year", `birth year, year of birth, birthyear, Geburtsjahr, année de naissance, año de nacimiento, ano de nascimento, anno di nascita, geboortejaar, rok urodzenia`},
	{"birth_month", `birth month, month of birth, birthmonth, Geburtsmonat, mois de naissance, mes de nacimiento, mês de nascimento, mese di nascita, geboortemaand, miesiąc urodzenia`},
	{"birth_day", `birth day, day of birth, birthday day, Geburtstag Tag, jour de naissance, día de nacimiento, dia de nascimento, giorno di nascita, geboortedag, dzień urodzenia`},
	{"other", `marketing contact status, lead status, lifecycle stage, contact owner, lead source,
		accepts sms marketing, sms marketing consent, created, created at, updated at, last modified, anniversary`},
}

// noise are words dropped to find the core of a header ("Primary Email",
// "Person - Name", "Business Street"); they also may surround a partial
// match.
var noise = map[string]bool{}

const noiseList = `primary main default preferred work business office home personal private other
	geschäftlich privat weitere bureau domicile trabajo particular del werk werkadres huisadres arbete hem
	służbowy domowy comercial residencial do endereço uff ab 勤務先 自宅 근무지 집 주소 раб дом адрес рабочий is ev adresi 商务地址 住宅地址 地址
	secondary alternate alternative additional value person contact customer client member subscriber
	user lead mailing billing shipping address the your my of my`

// blockers are words that turn a header about a concept into something
// else: "E-mail 1 - Label" is not an e-mail, nor is "Email Opt Out",
// "Phonetic First Name" or "Company ID".
var blockers = map[string]bool{}

const blockerList = `type label kind id ids date time timestamp count verified valid validated validation status opt
	optin optout out consent marketing bounce bounced bounces reason source owner domain rating score formatted ip
	timezone preference preferences frequency phonetic yomi display format extension ext hash md5 sha256
	created modified updated opened clicked sent previous old former manager assistant assistants spouse
	maiden pronunciation reading furigana kana kanji verification confirmed confirm unsubscribe unsubscribed
	symbol location
	typ tipo type types türü turu тип 유형 类型 類型 種類 の種類 angezeigter anzeigename pantalla exibição visualizzato
	weergegeven weergavenaam wyświetlana rodzaj görünen gorunen краткое 표시 显示名 显示名称 表示名`

// typoDeny are real header words that are one edit away from a synonym
// and must not be read as its typo ("Stage" is not "State").
var typoDeny = map[string]bool{}

const typoDenyList = `stage stages sales nodes score scores owner order orders vendor vendors tiles
	rates rated dates label years`

// unnamed are headers that name nothing: spreadsheet defaults and
// placeholders. Their columns are matched by values only.
var unnamed = map[string]bool{}

const unnamedList = `column col field unnamed untitled blank empty spalte colonne columna coluna colonna kolom kolumna pole`

// generic are header words that say nothing of a column's kind ("Info",
// "Number", "Details"): a column headed only by them is matched by its
// values, like an unnamed one.
var generic = map[string]bool{}

const genericList = `info infos information informations details detail number numbers nummer nummern numero numéro
	data daten misc miscellaneous various sonstiges divers contact contacts kontakt value values wert
	misc info contact info contact details contact information kontaktdaten`

// isGeneric reports whether every word of a normalized header is generic.
func isGeneric(norm string) bool {
	if norm == "" {
		return false
	}
	for _, t := range strings.Split(norm, " ") {
		if !generic[t] {
			return false
		}
	}
	return true
}
