/*
 * detect.h - the text detectors. A detector sees bytes and reports spans; it never decides
 * what to do with them (that is the engine's plan) and never allocates.
 */
#ifndef LSC_DETECT_H
#define LSC_DETECT_H

#include "logscrub.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed IP address. family is 4 or 6; for 4, bytes[0..4) hold the address. */
struct lsc_ip {
    uint8_t bytes[16];
    uint8_t family;
    bool dotted_tail; /* IPv6 written with a trailing dotted quad (::ffff:1.2.3.4) */
};

struct lsc_match {
    size_t off;
    size_t len;
    lsc_class cls;
    bool quote;       /* a bare value after a quoted name: the label must be a JSON string */
    struct lsc_ip ip; /* set for LSC_CLASS_IPV4 and LSC_CLASS_IPV6 */
};

/* Called once per match, in increasing offset order, non-overlapping. Non-zero aborts. */
typedef int (*lsc_match_fn)(void *ctx, const struct lsc_match *m);

/*
 * lsc_detect_text runs every built-in detector over p[0..n) in one left-to-right pass.
 * Returns 0, or the first non-zero value returned by fn.
 */
int lsc_detect_text(const char *p, size_t n, lsc_match_fn fn, void *ctx);

/*
 * Tail cuts: offsets c with p[c - 1] == '"' and a letter at p[c]. Every detector's look-back
 * (e-mail local parts, secret names, the hex group before an IPv6 colon, word and number
 * starts) stops at that quote, and the letter cannot end a name or start a look-back of its
 * own - but two: a user name and a colon after a user flag (-u "bob:x") are read with the
 * flag before the quote, so no cut is made there (lsc_user_flag_before_quote); and a short
 * flag's look-back for its command crosses an argument list's quotes, so no cut is made at
 * one of those (lsc_list_quote: "mysql", "x -px"). So what the
 * scan finds at or after c depends on p[c - 1 .. n) alone, once the scan reaches c with no
 * match running past it. A caller that remembers tails p[c..n) that held no match can skip
 * them (lsc_detect_text_from). Fills cuts with the starts of the last two quoted fields of
 * a line that ends with one (an access log's referrer and user agent: `"..." "..."`),
 * earliest first; returns how many (0-2).
 */
size_t lsc_detect_tail_cuts(const char *p, size_t n, size_t cuts[2]);

/*
 * The earlier of lsc_detect_tail_cuts' two cuts, for a line whose last field starts at c1
 * (its later cut, or the start of a last field that is no cut itself); 0 when there is none.
 */
size_t lsc_detect_tail_cut_before(const char *p, size_t n, size_t c1);

/*
 * Does a cut at c hold, where p[c..n) is a tail lsc_detect_tail_cuts has cut from some line
 * before (a remembered tail, the same bytes)? Everything the cut asks of the bytes from c on
 * - the quotes that place it, the letter it starts with - such a tail meets by its own
 * bytes; what is left is asked of the bytes before c: the quote at c - 1 and what
 * lsc_detect_tail_cuts' no-cut cases read there. So a caller that finds a remembered tail at
 * the end of a line needs no search for the quotes.
 */
bool lsc_detect_tail_cut_holds(const char *p, size_t n, size_t c);

/*
 * Is p[0..n) exactly a date and time as logs write them (ISO 8601 / RFC 3339): YYYY-MM-DD,
 * 'T', 't' or ' ', hh:mm:ss, an optional fraction of 1-9 digits, an optional 'Z', 'z',
 * +hh:mm, +hhmm, -hh:mm or -hhmm? No detector finds anything in such a span by itself - no
 * letters but the separators, at most three colons and no "::", one dot, digit runs far
 * shorter than a card's - so the engine does not scan values that are one (a time field in
 * every JSON record, never the same twice). test_detect_text checks the claim against the
 * scan on timestamps with random bytes changed.
 */
#define LSC_TIMESTAMP_MIN 19 /* the shortest: "YYYY-MM-DDThh:mm:ss" */
#define LSC_TIMESTAMP_MAX 35 /* the longest: "YYYY-MM-DDThh:mm:ss.123456789+hh:mm" */
bool lsc_detect_is_timestamp(const char *p, size_t n);

/*
 * Is p[0..n) a short decimal number: an optional '-', digits, optionally one '.' between
 * digits, at most LSC_SHORT_NUMBER_DIGITS digits in all? No detector finds anything in such
 * a span by itself: an IPv4 address needs three dots, IPv6 a colon, a card 13 digits, a
 * PEM block "-----", and every other detector a letter, '@', '=', ':' or '%'. So the
 * engine does not scan values that are one (latencies, sizes, counts: a different one on
 * every record). test_detect_text checks the claim against the scan.
 */
#define LSC_SHORT_NUMBER_DIGITS 12
#define LSC_SHORT_NUMBER_MAX (LSC_SHORT_NUMBER_DIGITS + 2) /* with a sign and a dot */
bool lsc_detect_is_short_number(const char *p, size_t n);

/*
 * The time of an access log line as nginx ($time_local) and Apache (%t) write it, brackets
 * included: "[dd/Mon/yyyy:hh:mm:ss +hhmm]", Mon one of Jan ... Dec, the zone's sign '+' or
 * '-'. Returns its length (28) if p[0..n) starts with one, else 0. No detector finds a match
 * that starts inside it: its digit runs are 2-4 long and end at '/', ':', ' ' or ']' (no
 * address, card or IBAN), its colons join at most four groups with no "::" (no IPv6), the
 * names before them are numbers (no secret name), its letters are a month name followed by
 * '/' (no token, JWT, IBAN or auth scheme), and the brackets stop every look-back. So a
 * scan that reaches it with no match running into it may jump past it (struct lsc_known,
 * times); test_detect_text checks the claim against the full scan.
 */
size_t lsc_detect_access_time(const char *p, size_t n);

/*
 * What a caller knows before a scan about parts of p[0..n) that hold no match:
 *  - tail: p[tail..n) holds no match when entered at a tail cut (an earlier scan of the
 *    same tail found none, lsc_detect_tail_cuts); n or more: nothing known. The scan stops
 *    at its first candidate at or past tail, unless a match runs past tail.
 *  - times: the scan jumps over each access time (lsc_detect_access_time) it reaches with
 *    no match running into its '['; an access line's head, an address at 0 then " - - "
 *    and a time, is taken before any candidate window (text.c says why that finds the same).
 * When a match runs into such a part, the scan goes on as lsc_detect_text would there.
 */
struct lsc_known {
    size_t tail;
    bool times;
};
#define LSC_KNOWN_NOTHING ((struct lsc_known){SIZE_MAX, false})

/*
 * lsc_detect_text, skipping what known says holds no match. *reach is where the last match
 * ended (the offset after it; 0 when there was none), so a caller learns whether a tail it
 * scanned held a match.
 */
int lsc_detect_text_from(const char *p, size_t n, const struct lsc_known *known, size_t *reach,
                         lsc_match_fn fn, void *ctx);

/*
 * IP parsers. Each reads from p (p < end) and returns the number of bytes of a complete
 * address, or 0. They do not look at the byte before p; callers check the left boundary.
 */
size_t lsc_ip4_parse(const char *p, const char *end, uint8_t out[4]);
size_t lsc_ip6_parse(const char *p, const char *end, struct lsc_ip *out);

/*
 * Reads a whole value t[0..n) as one address into ip. With port_ok, "1.2.3.4:443" and
 * "[2001:db8::1]:443" count as their address. False (ip zeroed) if it is not one.
 */
bool lsc_ip_parse_value(const char *t, size_t n, bool port_ok, struct lsc_ip *ip);

/* Checksums for validating candidates. digits are ASCII '0'..'9'. */
bool lsc_luhn_valid(const char *digits, size_t n);
/* iban holds n compact characters (no spaces), upper-case letters and digits. */
bool lsc_iban_valid(const char *iban, size_t n);

/* Individual detectors, each tried at position i of p[0..n); on success fill m. */
/* A key by its prefix - or, for a word its gate passes that holds no key ("net", "sql...",
 * "wpa..."), lsc_detect_argument_password's match (tokens.c says why there). */
bool lsc_detect_token(const char *p, size_t n, size_t i, struct lsc_match *m);
/* Builds the tables lsc_detect_token reads, once: the scan does, before its first window
 * (scan.c); a caller of lsc_detect_token without a scan before it finds the same keys,
 * more slowly, until they are built. */
void lsc_detect_tables_build(void);
/*
 * For tests: the k-th known key prefix followed by `body` bytes of its alphabet (SIZE_MAX:
 * the shortest body the detector accepts), written to out when it fits in cap; its length
 * (more than cap: not written), or 0 past the last prefix.
 */
size_t lsc_token_sample(size_t k, size_t body, char *out, size_t cap);
/*
 * On failure *fail_until is set to the end of the base64url run scanned: no JWT can start
 * before it either (a later start in the same run meets the same end), so the caller skips
 * those starts and a line of "eyJaaaa-eyJaaaa-..." costs linear time, not quadratic.
 */
bool lsc_detect_jwt(const char *p, size_t n, size_t i, struct lsc_match *m, size_t *fail_until);
bool lsc_detect_auth_scheme(const char *p, size_t n, size_t i, struct lsc_match *m);
bool lsc_detect_pem(const char *p, size_t n, size_t i, struct lsc_match *m);
/*
 * A stored password's hash ("$6$salt$hash", "$2y$10$...", "$argon2id$v=19$...") at the '$'
 * at i (hashes.c). On failure *fail_until may be set past i: the run of segments read ends
 * in a last segment too short for any hash, which every '$' before it meets too.
 */
bool lsc_detect_password_hash(const char *p, size_t n, size_t i, struct lsc_match *m,
                              size_t *fail_until);
/*
 * A card number or an IBAN starting at i. On failure *fail_until may be set past i: the
 * detector read the run of groups after i and found that no card (IBAN) starts at a later
 * group before it either, so the caller skips those starts and a line of "4111 4111 ..."
 * is read once, not once a group. Every byte of p[i .. *fail_until) is then a group's
 * character (digits; for an IBAN upper-case letters too) or a separator (' ', for a card
 * '-' too) followed by one.
 */
bool lsc_detect_card(const char *p, size_t n, size_t i, struct lsc_match *m, size_t *fail_until);
bool lsc_detect_iban(const char *p, size_t n, size_t i, struct lsc_match *m, size_t *fail_until);
/* '@' or "%40" at i; the local part may reach back to floor. */
bool lsc_detect_email(const char *p, size_t n, size_t i, size_t at_len, size_t floor,
                      struct lsc_match *m);
/* '=' (sep_len 1), "%3D" (sep_len 3) or ':' at i, preceded by a secret-looking name. */
bool lsc_detect_secret_param(const char *p, size_t n, size_t i, size_t sep_len, size_t floor,
                             struct lsc_match *m);
/*
 * A command-line flag at i with a secret name and its value after a space: "--" and the
 * name ("mysql --password hunter2", "--api-key 'abc'"), or one '-' and the name, as Go's
 * flag package and Java's keytool take them ("-password x", "keytool -storepass x"; a
 * secret name has three bytes or more, so "-p" is none: a short flag's,
 * lsc_detect_short_flag). (With '=' after the name, the '=' is the separator
 * lsc_detect_secret_param reads.) The match is the value.
 */
bool lsc_detect_secret_flag(const char *p, size_t n, size_t i, struct lsc_match *m);
/* How a command's password flag takes its value. */
enum lsc_flag_form {
    LSC_FLAG_GLUED,  /* only glued to it: mysql -phunter2 ("mysql -p db" asks for one) */
    LSC_FLAG_EITHER, /* glued, or the next word: sshpass -p x, docker login -p x */
    LSC_FLAG_APART,  /* only the next word: redis-cli -a x */
    /* a flag anywhere in a cluster that makes a later argument the password: htpasswd -b
     * FILE USER PASSWORD, -nb USER PASSWORD (secrets.c, htpasswd_password) */
    LSC_FLAG_POSITIONAL,
};
/* A command that takes a password in a short flag. */
struct lsc_command {
    const char *name;  /* the word that names it; a last '*' stands for any rest (mysql*) */
    const char *flags; /* its password flags' letters ("p"; ldappasswd's "wsa") */
    enum lsc_flag_form form;
    char after; /* the password follows the first of these in the value (smbclient -U
                 * user%password, lftp -u user,password); 0: the value is the password */
};
/* The commands lsc_detect_short_flag knows (mysql, mariadb, sshpass, redis-cli, docker
 * login and the other logins, the MongoDB, OpenLDAP, SQL Server and Mosquitto clients, zip
 * and 7-Zip, Samba's tools, lftp, ipmitool, openssl, useradd, ssh-keygen, Net-SNMP's
 * clients, rar, ncftp, htpasswd...): *count of them. */
const struct lsc_command *lsc_short_flag_commands(size_t *count);
/* The command named by word[0..len) (after a path's last '/'), or NULL. */
const struct lsc_command *lsc_short_flag_command(const char *word, size_t len);
/* The letters lsc_short_flag_letter takes, as bits from 'A' (A-Z, six bytes between, a-z):
 * the commands' flags, and the letters that may start a cluster holding htpasswd's 'b'
 * ("-nb", "-cb", "-Bb", "-mb", "-db", "-ib"). */
#define LSC_FLAG_BIT(c) ((uint64_t)1 << ((c) - 'A'))
#define LSC_FLAG_LETTERS                                                                           \
    (LSC_FLAG_BIT('p') | LSC_FLAG_BIT('a') | LSC_FLAG_BIT('w') | LSC_FLAG_BIT('s') |               \
     LSC_FLAG_BIT('P') | LSC_FLAG_BIT('U') | LSC_FLAG_BIT('u') | LSC_FLAG_BIT('k') |               \
     LSC_FLAG_BIT('N') | LSC_FLAG_BIT('c') | LSC_FLAG_BIT('A') | LSC_FLAG_BIT('X') |               \
     LSC_FLAG_BIT('C') | LSC_FLAG_BIT('b') | LSC_FLAG_BIT('n') | LSC_FLAG_BIT('B') |               \
     LSC_FLAG_BIT('m') | LSC_FLAG_BIT('d') | LSC_FLAG_BIT('i'))
/* Is c one of the commands' flag letters, or one that may start htpasswd's cluster? (The
 * scan asks before a look-back.) */
static inline bool lsc_short_flag_letter(unsigned char c)
{
    return c >= 'A' && c <= 'z' && ((LSC_FLAG_LETTERS >> (c - 'A')) & 1) != 0;
}
/* What lsc_detect_short_flag remembers along one text, so that its look-backs read each
 * byte once (start with {SIZE_MAX, NULL, 0, 0}): the command found looking back from the
 * flag at `from`. */
struct lsc_command_seen {
    size_t from;
    const struct lsc_command *cmd;
    /* where the last reading of htpasswd's arguments stopped short of a password: a flag
     * before it finds none either (its arguments are among those), so is not read again */
    size_t args_end;
    /* the same for rabbitmqctl's (lsc_detect_rabbitmq_password) */
    size_t sub_end;
};
/*
 * A short flag at i ("-p", "-w", "-U"...) that is a password flag of the command it
 * belongs to: the last command word before it, back to where a command ends (';', '|',
 * '&', a line break, '(', '`', a double quote that is no argument list's) or the text's
 * start - read back over earlier matches ("mysql -h 10.1.2.3 -px"). Its value is glued to
 * it or the next word, as the command takes it ("mysql -u root -phunter2", "-p'a b'",
 * "sshpass -p x ssh host", "redis-cli -a x", "smbclient -U user%x"); for htpasswd's -b,
 * its last argument (the match runs from the first word after the flag). The match is the
 * password. Calls along one text go forward (i grows).
 */
bool lsc_detect_short_flag(const char *p, size_t n, size_t i, struct lsc_command_seen *seen,
                           struct lsc_match *m);
/* Is word[0..len) one of rabbitmqctl's subcommands that take a user and a password
 * (add_user, change_password, authenticate_user)? */
bool lsc_rabbitmq_password_subcommand(const char *word, size_t len);
/*
 * "rabbitmqctl" at i, and after its flags one of those subcommands, a user and a password:
 * the match runs from the user through the password (the scan goes on after a match; the
 * user would be passed over unread), or from a word before the user that no scan could
 * pass over (-n rabbit@host). Bare words, quoted ones, an argument list's strings. A reading
 * that finds none marks how far it read (seen->sub_end): calls along one text go forward.
 */
bool lsc_detect_rabbitmq_password(const char *p, size_t n, size_t i, struct lsc_command_seen *seen,
                                  struct lsc_match *m);
/* The name in word[0..*len) without a path before it: after the last '/' or '\\'
 * ("/usr/bin/sqlplus", "C:\\Windows\\net.exe"; doubled in an escaped JSON string). */
static inline const char *lsc_command_name(const char *word, size_t *len)
{
    for (size_t b = *len; b-- > 0;) {
        if (word[b] == '/' || word[b] == '\\') {
            *len -= b + 1;
            return word + b + 1;
        }
    }
    return word;
}
/*
 * Commands that take a password as a plain argument, not after a flag: net's (net1's)
 * "user NAME PASSWORD" and "use [DEVICE] RESOURCE PASSWORD" (Windows; '*' asks for one),
 * wpa_passphrase's "SSID PASSPHRASE", and Oracle's logon "USER/PASSWORD[@CONNECT]" as
 * sqlplus's and sqlldr's first argument (or sqlldr's userid=). A reader is started on the
 * command's name (lsc_command_name leaves a path off; ".exe" may end it), then fed the
 * words after it, one by one: an option or a word before the password is passed
 * (MORE), a word that shows there is no password ends the reading (END), and the password
 * is found (SECRET: *s and *e give its bytes in the word - for Oracle's logon the user and
 * the password, for the others the word inside its quotes, '...' or \"...\"). Text and JSON
 * arrays read the same words.
 */
struct lsc_arg_reader {
    unsigned char cmd, state, count;
    bool value;    /* sqlplus: the next word is an option's value */
    bool resource; /* net use: the resource is read, the password comes next */
};
enum lsc_arg_verdict { LSC_ARG_MORE, LSC_ARG_END, LSC_ARG_SECRET };
bool lsc_arg_reader_start(struct lsc_arg_reader *r, const char *word, size_t len);
enum lsc_arg_verdict lsc_arg_reader_feed(struct lsc_arg_reader *r, const char *w, size_t len,
                                         size_t *s, size_t *e);
/*
 * One of those commands at i (a word's start), and its password in the words after it, up to
 * where the command ends (as lsc_detect_short_flag reads them: bare, quoted, an argument
 * list's strings). The match runs from the first word the scan could not pass over unread
 * (anything but a plain word or an option like /add) through the password: "net user bob
 * [secret] /add", "sqlplus -s [secret]@db", "net use Z: [secret] /user:bob". Asked by
 * lsc_detect_token, so in 12 bytes or more.
 */
bool lsc_detect_argument_password(const char *p, size_t n, size_t i, struct lsc_match *m);
/*
 * Can lsc_detect_short_flag's look-back for its command cross the double quote at q? Only
 * one that separates an argument list's strings ("mysql", "-px"; ["mysql","-px"]): a quote
 * before or after a comma. Not the quote between an access log's fields
 * ("..." "..."), where lsc_detect_tail_cuts cuts - which makes no cut at a quote this
 * crosses.
 */
static inline bool lsc_list_quote(const char *p, size_t n, size_t q)
{
    return (q + 1 < n && p[q + 1] == ',') ||
           (q > 0 && (p[q - 1] == ',' || (q > 1 && p[q - 1] == ' ' && p[q - 2] == ',')));
}
/* Is name (after a flag's "--") a secret name that takes a value: not "no-..." (which turns
 * the secret off), no '=' in it? */
bool lsc_secret_flag_name(const char *name, size_t len);
/*
 * '<' at i, starting an XML element with a secret name (<password>, <wsse:Password ...>):
 * the match is its content, up to its end tag (also "<\/name>", as JSON writes it), or
 * to the end of the line when there is none.
 */
bool lsc_detect_secret_element(const char *p, size_t n, size_t i, struct lsc_match *m);
/*
 * A word at i that sets a password in SQL: "BY" after IDENTIFIED (or IDENTIFIED WITH
 * plugin), "PASSWORD" before a string literal, "PASSWORD(", or "PASSWORD FOR account =".
 * The match is the literal's text (or Oracle's bare word after BY).
 */
bool lsc_detect_sql_secret(const char *p, size_t n, size_t i, struct lsc_match *m);
/*
 * A word at i, "password" in any case after a blank, a quote or a bracket (not --password,
 * db-password), followed in prose by its value: past at most four linking words
 * ("is", "was", "to", "set", "changed", "reset", "now", "be"), a quoted string, or a bare
 * word that reads as a password - a digit, a symbol, small letters with a capital past the
 * first ("with password hunter2", "password is now set to 'a b'"). A word of letters alone
 * is the sentence's ("Failed password for root", "password is incorrect"): not matched.
 */
bool lsc_detect_prose_password(const char *p, size_t n, size_t i, struct lsc_match *m);
/* What lsc_detect_secret_pair remembers along one text (start with {0, 0}): p[lo .. hi)
 * holds no brace and no member naming a secret. */
struct lsc_clean_span {
    size_t lo, hi;
};
/*
 * ':' at i after a "value" member name in JSON read as text, in an object whose "name" or
 * "key" member names a secret or a credential header ({"name":"DB_PASSWORD","value":"x"}):
 * the match is the value's.
 */
/*
 * The secret values of a list of name/value pairs that ends p[0..n) (a line break after
 * it aside): an ORM's SQL binds (`[["token", "x"], ["LIMIT", 1]]`), Python's pairs
 * (`[('password', 'x')]`) - lists.c has the grammar. Fills out with their spans, in order
 * (past LSC_LIST_SPANS the last runs on to the last secret value); returns how many.
 * (128 spans: a batch INSERT's rows, 2 KiB on the stack of a text that ends so.)
 */
#define LSC_LIST_SPANS 128
struct lsc_list_spans {
    size_t count;
    size_t off[LSC_LIST_SPANS], len[LSC_LIST_SPANS];
};
size_t lsc_detect_list_pairs(const char *p, size_t n, struct lsc_list_spans *out);
/* Adds the secret value [s, e) to out; past LSC_LIST_SPANS the last span runs on over it
 * (and what lies between) - fail closed. */
static inline void lsc_list_spans_add(struct lsc_list_spans *out, size_t s, size_t e)
{
    if (out->count < LSC_LIST_SPANS) {
        out->off[out->count] = s;
        out->len[out->count++] = e - s;
    } else {
        out->len[LSC_LIST_SPANS - 1] = e - out->off[LSC_LIST_SPANS - 1];
    }
}
/* n less the line break that ends p[0..n), if any: "\n", "\r\n" or "\r". */
static inline size_t lsc_without_line_break(const char *p, size_t n)
{
    n -= n > 0 && p[n - 1] == '\n';
    return n - (n > 0 && p[n - 1] == '\r');
}
/*
 * The secret values of the SQL INSERTs in p[0..n) that name their columns, when p ends in
 * ')' or ';' (a line break after it aside): `INSERT INTO users (email, api_key) VALUES
 * ('a', 'k')` - inserts.c has the grammar. Fills out like lsc_detect_list_pairs (count 0
 * first); returns how many.
 */
#define LSC_INSERT_COLUMNS 4096 /* MySQL's most; PostgreSQL's is 1600 */
size_t lsc_detect_insert_values(const char *p, size_t n, struct lsc_list_spans *out);
/*
 * '=' at i between the ')' of a column list and the '(' of its values, as PostgreSQL's error
 * details write a key ("Key (reset_password_token)=(x9f...) already exists."; details.c has
 * the grammar): when a word of the column list names a secret, the match is the values.
 * (The scan asks only when p[i - 1] is ')' and i >= 3; the '(' after i is asked here.)
 */
bool lsc_detect_key_values(const char *p, size_t n, size_t i, struct lsc_match *m);
/*
 * The row of PostgreSQL's "Failing row contains (...)." when it ends p[0..n) (a line break
 * after it aside): every value of it is added to out as one span; returns out->count.
 */
size_t lsc_detect_failing_row(const char *p, size_t n, struct lsc_list_spans *out);
/*
 * The word "reset" at i, starting a part of a URL's path segment (after '/', '-' or '_'):
 * the match is a token in one of the segments after it (/reset-password/{token},
 * /reset/{uid}/{token}/) - paths.c has the grammar. (The scan asks at words of 'r' and 'e'.)
 */
bool lsc_detect_reset_token(const char *p, size_t n, size_t i, struct lsc_match *m);
bool lsc_detect_secret_pair(const char *p, size_t n, size_t i, size_t floor,
                            struct lsc_clean_span *clean, struct lsc_match *m);
/* How far back from its colon lsc_detect_flag_credentials reads: the user name (at most
 * LSC_USER_MAX bytes), then up to the flag's last '-' 12 bytes more at most (a quote, four
 * blanks, an argument list's comma and quote, and "user" of "--user"). */
#define LSC_USER_MAX 64
#define LSC_FLAG_REACH (LSC_USER_MAX + 12)
/* ':' at i inside the word after a "-u" or "--user" flag (curl -u user:password): the
 * match is the password after the colon. (The text scan asks first whether a '-' lies in
 * reach, after floor: most colons have none.) */
bool lsc_detect_flag_credentials(const char *p, size_t n, size_t i, size_t floor,
                                 struct lsc_match *m);
/* Would lsc_detect_flag_credentials, at the colon after a user name that starts at c just
 * after a quote, read a flag before that quote (-u "bob:x")? Its look-back is the one that
 * crosses a quote (lsc_detect_tail_cuts). */
bool lsc_user_flag_before_quote(const char *p, size_t n, size_t c);
/* "://" at i: the password of scheme://user:password@host. */
bool lsc_detect_url_password(const char *p, size_t n, size_t i, struct lsc_match *m);
/* "://" at i, in the URL of a service whose path holds a credential (a Slack, Discord,
 * Teams or Zapier webhook, a Telegram bot): the match is the credential - from the URL's
 * password, when it has one, through the end of the credential. */
bool lsc_detect_secret_url(const char *p, size_t n, size_t i, struct lsc_match *m);
/* The same URL written without its scheme, from the word at i that starts its host -
 * hooks.slack.com/services/..., hooks.zapier.com/hooks/..., discord.com/api/webhooks/...
 * (discordapp.com too): the hosts whose words the scan asks about ('h' and 'd' before a
 * second-set letter, scan.h). Telegram's and Teams' hosts need their scheme. */
bool lsc_detect_service_host(const char *p, size_t n, size_t i, struct lsc_match *m);
/* ':' at i: the secret of a Telegram bot's token, "123456789:AA..." without its URL (the
 * digits starting a word, or after "bot"): the match starts after the colon. */
bool lsc_detect_bot_token(const char *p, size_t n, size_t i, struct lsc_match *m);

/* The last-two-bytes table of lsc_secret_end_possible (chars.h), built at the first call. */
const unsigned char *lsc_secret_ends(void);

/* Exposed for tests: does this (raw, possibly percent-encoded) name name a secret? */
bool lsc_secret_name(const char *name, size_t len);
/*
 * Is a value under a secret's name the environment's working directory, not a password?
 * The name "PWD" in capitals (raw), the value's first byte '/' - an absolute path, as POSIX
 * has it: every line of sudo's log ("TTY=pts/0 ; PWD=/home/bob ; USER=root"), a shell's
 * environment dumped. pwd= in lower case stays a password's name.
 */
bool lsc_working_directory(const char *name, size_t len, unsigned char first);

/*
 * Is name a header that carries credentials or session state (Authorization, Cookie,
 * Set-Cookie, X-Api-Key ...), also as an nginx variable (http_cookie, sent_http_set_cookie,
 * cookie_NAME)? Compared like lsc_secret_name.
 */
bool lsc_secret_header(const char *name, size_t len);

#endif
