// Package mapping turns the columns of a contact file into the host's
// fields.
//
// The host describes its fields once in a [Schema]: key, label, kind (from
// package validate), whether it is required, options for enums and
// multi-selects, aliases, and the [Role] a field plays (the e-mail that
// identifies a contact, the phone, the account link, the subscription
// status, tags, …). Custom fields are fields like any other.
// [DefaultSchema] is the contact schema the examples use.
//
// # Suggesting a mapping
//
// [Suggest] (or [Suggester.Suggest], with saved mappings and options)
// takes a file's header, a few sample rows and the schema, and returns a
// [Suggestion]: a [Mapping] with, per column, the chosen field or none, a
// confidence, the reason and warnings; the columns that match no field;
// the columns dropped because another column fills their field (the second
// e-mail of a repeated group, a home phone beside the work phone); the
// columns whose values contradict their header; the required fields nothing
// fills; and, in Err, why the mapping cannot be used (no e-mail column).
//
// Headers are compared after [NormalizeHeader]: case, spacing, punctuation
// and accents do not matter ("E-mail", "e_mail", "eMail" are one header).
// A header matches a field by its key, label or aliases, by built-in
// synonyms in English, German, French, Spanish, Portuguese, Italian, Dutch,
// Polish, Czech, Russian, Chinese, Japanese and Korean ("Jméno", "Příjmení",
// "名字", "姓氏", "電子郵件", "手機", "会社名", "회사명"), by Outlook's headers in its most used UI languages (also
// Swedish, Turkish, Russian, Japanese, Chinese and Korean: "Ort
// geschäftlich", "Tél. mobile", "Pays/Région (bureau)", "携帯電話",
// "電子メール アドレス"; testdata/headers/outlook_*.csv) and in the
// spellings of common exports (Google Contacts, Outlook, Thunderbird,
// LinkedIn, Mailchimp, HubSpot, Shopify, Salesforce, Zoho, Pipedrive,
// Brevo, Klaviyo, Ghost, beehiiv), with noise words removed ("Primary Email",
// "Person - Email - Work"), with group numbers removed ("E-mail 2 - Value"),
// inside a longer header ("Address 1 - City"), or with a small typo
// ("Emial"). Sample values are sniffed with validate: they confirm the
// header, overrule it (a column named Email full of phone numbers goes to
// the phone field, flagged), or choose the field of a column without a
// usable header (an unnamed column of e-mail addresses, a column headed
// "Info", "Number" or "Details" full of phone numbers).
//
// Values decide with the header:
//
//   - Placeholders ("n/a", "-", "none", "null", Outlook's "0/0/00") count as
//     empty cells.
//   - A clear header over dirty values (a Phone column of "n/a" and one
//     number, an Email column with 60 % bad values) keeps its field, with
//     [CodeValuesDirty]: bad rows get row errors, the file is not refused.
//   - Among columns competing for a field, a filled one beats an empty one
//     (German Outlook's filled "Ort geschäftlich" over the empty "Ort").
//   - A "name" column whose values are company names ("Gartencenter Röhr &
//     Vater", "Muster GmbH") goes to the account, not to first/last name.
//   - A full-name header ("Name", "Display Name", "Nombre completo",
//     "Vollständiger Name", "氏名", "姓名", "ФИО") is split into first and
//     last name (Transform OpSplitName) when the schema has both.
//   - In a file without a header (or a column headed "Column 3", "Info"),
//     a column of short capitalized words of any script ("Ann", "O'Neil",
//     "李", "Анна") next to the e-mail column is a name: two such columns are
//     first then last name, one column of two-word values a full name split
//     into both. Notes, free text and company names ("Acme Inc", "Muster
//     GmbH") are not taken; an unnamed column of company names goes to
//     the account. Such a guess has low confidence (0.56) and
//     [CodeByValues] says it was guessed from the values.
//   - A further e-mail column (E-mail 2, 3) and a full name beside first
//     and last name columns feed their field as fallbacks
//     (Transform.Fallback, [CodeFallback]): in file order, in the rows
//     where the field's own column is empty.
//   - A date column gets the order of day and month its values show
//     (Transform.DateOrder, from validate.DetectDateOrder); when every
//     sample date reads both ways, the order of [Suggester.Region] is
//     taken, with one warning for the column, [CodeDateOrder].
//   - A tags column gets the separator its cells use ("|", ";", ",",
//     " ::: ", quoted lists such as Mailchimp's "\"A\",\"B\""); Google's
//     system groups ("* myContacts", "* starred") are dropped.
//   - A status column is read as the status field's options through
//     [OpMap] ([CodeStatusMapped]): yes/no and true/false (Ghost's
//     subscribed_to_emails, "Email Opt In"), subscribed/unsubscribed and
//     active/inactive (beehiiv), an inverted column ("unsubscribed", "Email
//     Opt Out": yes is unsubscribed; no sets no status, because "not
//     opted out" is every CRM record's default and no consent: a new
//     contact gets the import's default status, an existing one keeps its
//     own), and a filled unsubscribe time (Mailchimp's UNSUB_TIME) as
//     unsubscribed.
//   - Year, month and day columns (Thunderbird's Birth Year, Birth Month,
//     Birth Day) are combined into the date field ([OpDatePart]).
//
// # Using a mapping
//
// A Mapping is plain JSON-serializable data: the host shows it, lets people
// change fields, add constants (a tag, a segment for every row) and
// transforms (split a full name, take the first of several values, join
// address lines), and saves it. [Fingerprint] identifies a header: a saved
// mapping is suggested again for the next file with the same fingerprint
// ([Suggester.Saved]).
//
// [Mapping.Compile] checks a mapping against the schema and returns a
// [Plan]. [Plan.Apply] turns each row into one raw [Value] per schema
// field, with a [State] that keeps apart a field no column feeds (Absent),
// an empty cell (Empty) and a value (Present); it reuses its destination
// slice and allocates nothing per row unless values must be joined.
// [Plan.Preview] shows the first rows as they would be stored: normalized
// by each field's rule, or the error per cell.
//
// [WriteTemplate] writes the template CSV of a schema (its labels and one
// example row) with gocsv, safe to open in a spreadsheet.
//
// # Errors
//
// Suggest never fails; what stops a suggested mapping from being used is
// in Suggestion.Err. [Schema.Validate] and [Mapping.Compile] return every
// problem they find as an [*Error] (with a stable Code, the Field and the
// 1-based Column concerned), joined with errors.Join. Test them with
// errors.Is: [ErrSchema] matches any schema problem, [ErrMapping] any
// mapping problem, and [ErrNoEmail], [ErrDuplicateField], [ErrUnknownField],
// [ErrMissingRequired] and [ErrTransform] one kind each; errors.As gives
// the first *Error. A file without an e-mail column fails Compile with
// ErrNoEmail before anything is imported; for an account schema
// (Schema.Entity == EntityAccount, see DefaultAccountSchema) the key is the
// account name instead, and a file without it fails with [ErrNoKey]. Problems of single values are
// not errors of this package: [Plan.Preview] reports them per cell as
// *validate.Error values. Warnings on suggested columns carry the
// suggest.* codes ([CodeRepeated], [CodeValuesConflict], …).
package mapping
