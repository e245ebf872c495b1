/* dbproto.c - parsing, checking and answering one request line.
 *
 * A request is a command word (any case) and its fields, separated by runs
 * of spaces; spaces at either end of the line are ignored. The last field
 * of UPPER/LOWER/REVERSE (the text) and of ADD/SET (the name) is the rest
 * of the line, inner spaces kept. Each field is checked before the database
 * is touched, so db.c only ever sees valid ids, ages and names. */
#include "dbproto.h"

#include "upper.h"
#include "dbcheck.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- text: UPPER, LOWER, REVERSE -------------------------------------- */

/* The mirror of upper_transform: A-Z to a-z, every other byte unchanged
 * (so "Ñ" stays "Ñ": the service is ASCII-only and locale-free). */
static void lower_transform(char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] - 'A' + 'a');
    }
}

/* --- fields ------------------------------------------------------------- */

/* What is left of the request line to parse. */
struct cursor {
    const char *at, *end;
};

static void skip_spaces(struct cursor *c)
{
    while (c->at < c->end && *c->at == ' ')
        c->at++;
}

/* The next space-separated word; false when the line has no more. */
static bool next_word(struct cursor *c, const char **word, size_t *len)
{
    skip_spaces(c);
    *word = c->at;
    while (c->at < c->end && *c->at != ' ')
        c->at++;
    *len = (size_t)(c->at - *word);
    return *len > 0;
}

/* The rest of the line (the text or the name); false when it is empty. */
static bool rest_of_line(struct cursor *c, const char **rest, size_t *len)
{
    skip_spaces(c);
    *rest = c->at;
    *len = (size_t)(c->end - c->at);
    c->at = c->end;
    return *len > 0;
}

/* --- commands ------------------------------------------------------------ */

/* The fields a command takes, which fixes how its line is parsed. */
enum shape { NOTHING, TEXT, ID, ID_AGE_NAME };

/* One parsed, checked request. */
struct request {
    struct db *db;
    long delay_ms;
    const char *text; /* TEXT: the rest of the line */
    size_t text_len;
    struct person person; /* ID: person.id; ID_AGE_NAME: all three */
    struct db_reply *reply;
};

static void reply_status(struct db_reply *reply, enum db_status status)
{
    static const char *const replies[] = {
        [DB_OK] = "OK\n",
        [DB_NOT_FOUND] = "ERR not found\n",
        [DB_EXISTS] = "ERR exists\n",
        [DB_FULL] = "ERR database full\n",
        [DB_AGE_OVERFLOW] = "ERR age overflow\n",
        [DB_NO_MEMORY] = "ERR out of memory\n",
    };
    db_reply_append_text(reply, replies[status]);
}

/* "OK " then the text, changed in place inside the reply buffer. */
static void do_case(struct request *req, void (*transform)(char *, size_t))
{
    size_t at = req->reply->len + 3;

    simulate_work(req->delay_ms);
    db_reply_append_text(req->reply, "OK ");
    db_reply_append(req->reply, req->text, req->text_len);
    if (!req->reply->failed)
        transform(req->reply->text + at, req->text_len);
    db_reply_append_text(req->reply, "\n");
}

static void do_upper(struct request *req)
{
    do_case(req, upper_transform);
}
static void do_lower(struct request *req)
{
    do_case(req, lower_transform);
}

static void do_reverse(struct request *req)
{
    char reversed[DB_LINE_MAX];

    if (!valid_utf8(req->text, req->text_len)) {
        db_reply_append_text(req->reply, "ERR invalid UTF-8\n");
        return;
    }
    simulate_work(req->delay_ms);
    utf8_reverse(req->text, req->text_len, reversed);
    db_reply_append_text(req->reply, "OK ");
    db_reply_append(req->reply, reversed, req->text_len);
    db_reply_append_text(req->reply, "\n");
}

static void do_add(struct request *req)
{
    reply_status(req->reply, db_add(req->db, &req->person));
}

static void do_set(struct request *req)
{
    reply_status(req->reply, db_set(req->db, &req->person));
}

static void do_del(struct request *req)
{
    reply_status(req->reply, db_del(req->db, req->person.id));
}

static void do_get(struct request *req)
{
    struct person found;
    enum db_status status = db_get(req->db, req->person.id, &found);

    if (status != DB_OK) {
        reply_status(req->reply, status);
        return;
    }
    db_reply_append_text(req->reply, "OK ");
    db_reply_append_person(req->reply, &found);
}

static void do_birthday(struct request *req)
{
    long age;
    enum db_status status = db_birthday(req->db, req->person.id, &age);
    char line[32];

    if (status != DB_OK) {
        reply_status(req->reply, status);
        return;
    }
    snprintf(line, sizeof line, "OK %ld\n", age);
    db_reply_append_text(req->reply, line);
}

/* The reply goes out in pieces of at most DB_REPLY_PIECE_MAX bytes as it
 * is built (dbreply.h): its buffer never holds the whole table. */
static void do_list(struct request *req)
{
    struct db_snapshot snapshot;
    enum db_status status = db_list(req->db, &snapshot);
    char line[32];

    if (status != DB_OK) {
        reply_status(req->reply, status);
        return;
    }
    snprintf(line, sizeof line, "OK %zu\n", snapshot.count);
    db_reply_append_text(req->reply, line);
    for (size_t i = 0; i < snapshot.count; i++)
        db_reply_append_person(req->reply, &snapshot.people[i]);
    db_snapshot_free(&snapshot);
}

struct command {
    const char *name;
    enum shape shape;
    const char *usage; /* the reply to a request of the wrong shape */
    void (*run)(struct request *);
};

static const struct command commands[] = {
    {"UPPER", TEXT, "ERR usage: UPPER text\n", do_upper},
    {"LOWER", TEXT, "ERR usage: LOWER text\n", do_lower},
    {"REVERSE", TEXT, "ERR usage: REVERSE text\n", do_reverse},
    {"ADD", ID_AGE_NAME, "ERR usage: ADD id age name\n", do_add},
    {"GET", ID, "ERR usage: GET id\n", do_get},
    {"SET", ID_AGE_NAME, "ERR usage: SET id age name\n", do_set},
    {"DEL", ID, "ERR usage: DEL id\n", do_del},
    {"BIRTHDAY", ID, "ERR usage: BIRTHDAY id\n", do_birthday},
    {"LIST", NOTHING, "ERR usage: LIST\n", do_list},
};

/* Commands are case-insensitive: "get", "Get" and "GET" are one command.
 * strncasecmp compares ASCII letters only in the C locale we run in. */
static const struct command *find_command(const char *word, size_t len)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strlen(commands[i].name) == len &&
            strncasecmp(commands[i].name, word, len) == 0)
            return &commands[i];
    }
    return NULL;
}

/* Checks an id and copies it into req->person.id. */
static const char *take_id(const char *id, size_t len, struct request *req)
{
    const char *error = check_id(id, len);

    if (error == NULL) {
        memcpy(req->person.id, id, len);
        req->person.id[len] = '\0';
    }
    return error;
}

/* Fills req from the fields after the command word, following the
 * command's shape; returns NULL, or the error reply. Fields are checked in
 * the order they come: id, then age, then name. */
static const char *parse_fields(const struct command *command, struct cursor *c,
                                struct request *req)
{
    const char *id, *age, *name, *error;
    size_t id_len, age_len, name_len;

    switch (command->shape) {
    case NOTHING:
        return c->at == c->end ? NULL : command->usage;
    case TEXT:
        return rest_of_line(c, &req->text, &req->text_len) ? NULL
                                                           : command->usage;
    case ID:
        if (!next_word(c, &id, &id_len) || c->at != c->end)
            return command->usage;
        return take_id(id, id_len, req);
    case ID_AGE_NAME:
        if (!next_word(c, &id, &id_len) || !next_word(c, &age, &age_len) ||
            !rest_of_line(c, &name, &name_len))
            return command->usage;
        if ((error = take_id(id, id_len, req)) != NULL ||
            (error = check_age(age, age_len, &req->person.age)) != NULL ||
            (error = check_name(name, name_len)) != NULL)
            return error;
        memcpy(req->person.name, name, name_len);
        req->person.name[name_len] = '\0';
        return NULL;
    }
    return command->usage; /* not reached: every shape is handled above */
}

void db_answer(struct db *db, long delay_ms, const char *line, size_t len,
               struct db_reply *reply)
{
    struct cursor c = {line, line + len};
    struct request req = {.db = db, .delay_ms = delay_ms, .reply = reply};
    const struct command *command;
    const char *word, *error;
    size_t word_len;

    db_reply_reset(reply);
    while (c.end > c.at && c.end[-1] == ' ')
        c.end--; /* trailing spaces are not part of the last field */
    if (!next_word(&c, &word, &word_len))
        db_reply_append_text(reply, "ERR empty request\n");
    else if ((command = find_command(word, word_len)) == NULL)
        db_reply_append_text(reply, "ERR unknown command\n");
    else if ((error = parse_fields(command, &c, &req)) != NULL)
        db_reply_append_text(reply, error);
    else
        command->run(&req);
}
