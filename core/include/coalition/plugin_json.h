/* The little JSON a plugin written in plain C needs: header-only, C99 (and valid C++).
 *
 * Reading. The engine hands a step its parameters (and a resume its completion) as one JSON
 * object that has already passed the step type's schema, so a C plugin mostly reads top-level
 * members by name: coalition_json_get_string / _int64 / _bool. Strings come back decoded (escapes
 * and \uXXXX, surrogate pairs included, as UTF-8) into the caller's buffer.
 *
 * Writing. A coalition_json_writer_t builds the output object in a growing buffer, escaping every
 * string as RFC 8259 requires; coalition_json_end() returns it as a malloc'd string to put in
 * coalition_result_t.output_json (release it in your descriptor's free_string with free()).
 *
 * Anything richer (nested documents, arrays of objects) deserves a real JSON library, or the C++
 * SDK (coalition/plugin.hpp). */
#ifndef COALITION_PLUGIN_JSON_H_
#define COALITION_PLUGIN_JSON_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COALITION_JSON_OK 0
#define COALITION_JSON_MISSING 1    /* the object has no such member */
#define COALITION_JSON_WRONG_TYPE 2 /* the member holds another type (or a number out of range) */
#define COALITION_JSON_TOO_LONG 3   /* the decoded string does not fit in out (out holds "") */
#define COALITION_JSON_MALFORMED 4  /* the document is not a well-formed JSON object */

/* ---- Reading ---------------------------------------------------------------------------- */

#define COALITION_JSON_MAX_DEPTH 64 /* nesting skipped over while looking for a member */

static inline const char* coalition_json__ws(const char* p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

static inline int coalition_json__hex4(const char* p, uint32_t* out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= (uint32_t)(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= (uint32_t)(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= (uint32_t)(c - 'A' + 10);
    } else {
      return 0;
    }
  }
  *out = v;
  return 1;
}

/* Appends byte c at out[*n] when there is room (one byte is kept for the NUL); counts it anyway,
 * so the caller learns the decoded length. */
static inline void coalition_json__put(char* out, size_t out_size, size_t* n, char c) {
  if (out != NULL && *n + 1 < out_size) out[*n] = c;
  ++*n;
}

/* Decodes the string whose opening quote is at p. Returns the character after the closing quote,
 * or NULL when malformed; *length is the decoded length (bytes). */
static inline const char* coalition_json__string(const char* p, char* out, size_t out_size,
                                                 size_t* length) {
  size_t n = 0;
  if (*p != '"') return NULL;
  ++p;
  for (;;) {
    const unsigned char c = (unsigned char)*p;
    if (c == '"') break;
    if (c < 0x20) return NULL; /* control characters, and the end of the text, are malformed */
    if (c != '\\') {
      coalition_json__put(out, out_size, &n, (char)c);
      ++p;
      continue;
    }
    ++p;
    const char e = *p++;
    switch (e) {
      case '"': coalition_json__put(out, out_size, &n, '"'); break;
      case '\\': coalition_json__put(out, out_size, &n, '\\'); break;
      case '/': coalition_json__put(out, out_size, &n, '/'); break;
      case 'b': coalition_json__put(out, out_size, &n, '\b'); break;
      case 'f': coalition_json__put(out, out_size, &n, '\f'); break;
      case 'n': coalition_json__put(out, out_size, &n, '\n'); break;
      case 'r': coalition_json__put(out, out_size, &n, '\r'); break;
      case 't': coalition_json__put(out, out_size, &n, '\t'); break;
      case 'u': {
        uint32_t cp = 0;
        if (!coalition_json__hex4(p, &cp)) return NULL;
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high surrogate needs its low half */
          uint32_t low = 0;
          if (p[0] != '\\' || p[1] != 'u' || !coalition_json__hex4(p + 2, &low) || low < 0xDC00 ||
              low > 0xDFFF) {
            return NULL;
          }
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return NULL; /* a lone low surrogate */
        }
        if (cp < 0x80) {
          coalition_json__put(out, out_size, &n, (char)cp);
        } else if (cp < 0x800) {
          coalition_json__put(out, out_size, &n, (char)(0xC0 | (cp >> 6)));
          coalition_json__put(out, out_size, &n, (char)(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          coalition_json__put(out, out_size, &n, (char)(0xE0 | (cp >> 12)));
          coalition_json__put(out, out_size, &n, (char)(0x80 | ((cp >> 6) & 0x3F)));
          coalition_json__put(out, out_size, &n, (char)(0x80 | (cp & 0x3F)));
        } else {
          coalition_json__put(out, out_size, &n, (char)(0xF0 | (cp >> 18)));
          coalition_json__put(out, out_size, &n, (char)(0x80 | ((cp >> 12) & 0x3F)));
          coalition_json__put(out, out_size, &n, (char)(0x80 | ((cp >> 6) & 0x3F)));
          coalition_json__put(out, out_size, &n, (char)(0x80 | (cp & 0x3F)));
        }
        break;
      }
      default: return NULL;
    }
  }
  if (out != NULL && out_size > 0) out[n < out_size ? n : out_size - 1] = '\0';
  *length = n;
  return p + 1;
}

static inline const char* coalition_json__literal(const char* p, const char* word) {
  const size_t n = strlen(word);
  return strncmp(p, word, n) == 0 ? p + n : NULL;
}

/* A number as RFC 8259 writes it; *integral says whether it had no fraction and no exponent. */
static inline const char* coalition_json__number(const char* p, int* integral) {
  *integral = 1;
  if (*p == '-') ++p;
  if (*p == '0') {
    ++p;
  } else if (*p >= '1' && *p <= '9') {
    while (*p >= '0' && *p <= '9') ++p;
  } else {
    return NULL;
  }
  if (*p == '.') {
    *integral = 0;
    ++p;
    if (!(*p >= '0' && *p <= '9')) return NULL;
    while (*p >= '0' && *p <= '9') ++p;
  }
  if (*p == 'e' || *p == 'E') {
    *integral = 0;
    ++p;
    if (*p == '+' || *p == '-') ++p;
    if (!(*p >= '0' && *p <= '9')) return NULL;
    while (*p >= '0' && *p <= '9') ++p;
  }
  return p;
}

/* Skips one value starting at p (no leading whitespace); NULL when malformed or too deep. */
static inline const char* coalition_json__skip(const char* p, int depth) {
  size_t ignored = 0;
  int integral = 0;
  if (depth > COALITION_JSON_MAX_DEPTH) return NULL;
  switch (*p) {
    case '"': return coalition_json__string(p, NULL, 0, &ignored);
    case 't': return coalition_json__literal(p, "true");
    case 'f': return coalition_json__literal(p, "false");
    case 'n': return coalition_json__literal(p, "null");
    case '{':
    case '[': {
      const char close = *p == '{' ? '}' : ']';
      const int object = *p == '{';
      p = coalition_json__ws(p + 1);
      if (*p == close) return p + 1;
      for (;;) {
        if (object) {
          p = coalition_json__string(p, NULL, 0, &ignored);
          if (p == NULL) return NULL;
          p = coalition_json__ws(p);
          if (*p != ':') return NULL;
          p = coalition_json__ws(p + 1);
        }
        p = coalition_json__skip(p, depth + 1);
        if (p == NULL) return NULL;
        p = coalition_json__ws(p);
        if (*p == close) return p + 1;
        if (*p != ',') return NULL;
        p = coalition_json__ws(p + 1);
      }
    }
    default: return coalition_json__number(p, &integral);
  }
}

/* The value of top-level member `key` of the object `json` (its first character), or NULL with
 * *status set to COALITION_JSON_MISSING or COALITION_JSON_MALFORMED. */
static inline const char* coalition_json__member(const char* json, const char* key, int* status) {
  const size_t key_length = strlen(key);
  char name[256];
  const char* p = coalition_json__ws(json);
  *status = COALITION_JSON_MALFORMED;
  if (*p != '{') return NULL;
  p = coalition_json__ws(p + 1);
  if (*p == '}') {
    *status = COALITION_JSON_MISSING;
    return NULL;
  }
  for (;;) {
    size_t length = 0;
    p = coalition_json__string(p, name, sizeof name, &length);
    if (p == NULL) return NULL;
    p = coalition_json__ws(p);
    if (*p != ':') return NULL;
    p = coalition_json__ws(p + 1);
    if (length == key_length && length < sizeof name && memcmp(name, key, length) == 0) {
      *status = COALITION_JSON_OK;
      return p;
    }
    p = coalition_json__skip(p, 1);
    if (p == NULL) return NULL;
    p = coalition_json__ws(p);
    if (*p == '}') {
      *status = COALITION_JSON_MISSING;
      return NULL;
    }
    if (*p != ',') return NULL;
    p = coalition_json__ws(p + 1);
  }
}

/* Copies the string member `key` of the object `json`, decoded, NUL-terminated, into out. */
static inline int coalition_json_get_string(const char* json, const char* key, char* out,
                                            size_t out_size) {
  int status = 0;
  size_t length = 0;
  const char* value = coalition_json__member(json, key, &status);
  if (out != NULL && out_size > 0) out[0] = '\0';
  if (value == NULL) return status;
  if (*value != '"') return COALITION_JSON_WRONG_TYPE;
  if (coalition_json__string(value, out, out_size, &length) == NULL) {
    if (out != NULL && out_size > 0) out[0] = '\0';
    return COALITION_JSON_MALFORMED;
  }
  if (out == NULL || length >= out_size) {
    if (out != NULL && out_size > 0) out[0] = '\0';
    return COALITION_JSON_TOO_LONG;
  }
  return COALITION_JSON_OK;
}

/* Reads the integer member `key` (no fraction, no exponent, within int64_t). */
static inline int coalition_json_get_int64(const char* json, const char* key, int64_t* out) {
  int status = 0;
  int integral = 0;
  const char* value = coalition_json__member(json, key, &status);
  if (value == NULL) return status;
  if (*value != '-' && !(*value >= '0' && *value <= '9')) return COALITION_JSON_WRONG_TYPE;
  const char* end = coalition_json__number(value, &integral);
  if (end == NULL) return COALITION_JSON_MALFORMED;
  if (!integral) return COALITION_JSON_WRONG_TYPE;
  const int negative = *value == '-';
  uint64_t magnitude = 0;
  for (const char* d = value + negative; d < end; ++d) {
    const uint64_t digit = (uint64_t)(*d - '0');
    if (magnitude > (UINT64_MAX - digit) / 10) return COALITION_JSON_WRONG_TYPE;
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    if (magnitude > (uint64_t)INT64_MAX + 1) return COALITION_JSON_WRONG_TYPE;
    *out = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
  } else {
    if (magnitude > (uint64_t)INT64_MAX) return COALITION_JSON_WRONG_TYPE;
    *out = (int64_t)magnitude;
  }
  return COALITION_JSON_OK;
}

/* Reads the boolean member `key` into *out (1 or 0). */
static inline int coalition_json_get_bool(const char* json, const char* key, int* out) {
  int status = 0;
  const char* value = coalition_json__member(json, key, &status);
  if (value == NULL) return status;
  if (coalition_json__literal(value, "true") != NULL) {
    *out = 1;
  } else if (coalition_json__literal(value, "false") != NULL) {
    *out = 0;
  } else {
    return COALITION_JSON_WRONG_TYPE;
  }
  return COALITION_JSON_OK;
}

/* ---- Writing ---------------------------------------------------------------------------- */

typedef struct coalition_json_writer {
  char* data;
  size_t length;
  size_t capacity;
  int failed;  /* memory ran out: coalition_json_end returns NULL */
  int members; /* written so far */
} coalition_json_writer_t;

static inline void coalition_json__append(coalition_json_writer_t* w, const char* s, size_t n) {
  if (w->failed) return;
  if (w->length + n + 1 > w->capacity) {
    size_t capacity = w->capacity == 0 ? 256 : w->capacity;
    while (w->length + n + 1 > capacity) capacity *= 2;
    char* grown = (char*)realloc(w->data, capacity);
    if (grown == NULL) {
      w->failed = 1;
      return;
    }
    w->data = grown;
    w->capacity = capacity;
  }
  memcpy(w->data + w->length, s, n);
  w->length += n;
  w->data[w->length] = '\0';
}

/* A JSON string: quotes, backslashes and control characters escaped; other bytes as they are
 * (write UTF-8). */
static inline void coalition_json__quoted(coalition_json_writer_t* w, const char* s) {
  coalition_json__append(w, "\"", 1);
  for (const unsigned char* c = (const unsigned char*)s; *c != '\0'; ++c) {
    char escaped[8];
    switch (*c) {
      case '"': coalition_json__append(w, "\\\"", 2); break;
      case '\\': coalition_json__append(w, "\\\\", 2); break;
      case '\n': coalition_json__append(w, "\\n", 2); break;
      case '\r': coalition_json__append(w, "\\r", 2); break;
      case '\t': coalition_json__append(w, "\\t", 2); break;
      default:
        if (*c < 0x20) {
          snprintf(escaped, sizeof escaped, "\\u%04x", (unsigned)*c);
          coalition_json__append(w, escaped, 6);
        } else {
          coalition_json__append(w, (const char*)c, 1);
        }
    }
  }
  coalition_json__append(w, "\"", 1);
}

static inline void coalition_json__key(coalition_json_writer_t* w, const char* key) {
  if (w->members++ > 0) coalition_json__append(w, ",", 1);
  coalition_json__quoted(w, key);
  coalition_json__append(w, ":", 1);
}

/* Starts an object. */
static inline void coalition_json_begin(coalition_json_writer_t* w) {
  w->data = NULL;
  w->length = 0;
  w->capacity = 0;
  w->failed = 0;
  w->members = 0;
  coalition_json__append(w, "{", 1);
}

static inline void coalition_json_add_string(coalition_json_writer_t* w, const char* key,
                                             const char* value) {
  coalition_json__key(w, key);
  coalition_json__quoted(w, value);
}

static inline void coalition_json_add_int64(coalition_json_writer_t* w, const char* key,
                                            int64_t value) {
  char digits[24];
  coalition_json__key(w, key);
  snprintf(digits, sizeof digits, "%lld", (long long)value);
  coalition_json__append(w, digits, strlen(digits));
}

static inline void coalition_json_add_bool(coalition_json_writer_t* w, const char* key, int value) {
  coalition_json__key(w, key);
  coalition_json__append(w, value ? "true" : "false", value ? 4 : 5);
}

/* Adds `json`, a document the caller knows is well-formed, as the member's value. */
static inline void coalition_json_add_raw(coalition_json_writer_t* w, const char* key,
                                          const char* json) {
  coalition_json__key(w, key);
  coalition_json__append(w, json, strlen(json));
}

/* Ends the object: the document, malloc'd (release it with free()), or NULL when memory ran out
 * (then nothing is left to free). */
static inline char* coalition_json_end(coalition_json_writer_t* w) {
  coalition_json__append(w, "}", 1);
  if (w->failed) {
    free(w->data);
    w->data = NULL;
    return NULL;
  }
  char* document = w->data;
  w->data = NULL;
  return document;
}

#ifdef __cplusplus
}
#endif

#endif /* COALITION_PLUGIN_JSON_H_ */
