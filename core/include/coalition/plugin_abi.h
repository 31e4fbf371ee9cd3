/*
 * Coalition plugin ABI, version 1.2 (1.1 added the host extension coalition.calendar/1 and
 * "now" in context_json; 1.2 appended answer_schema_json to coalition_step_type_t).
 *
 * A plugin is a shared library that exports exactly one symbol, coalition_plugin_entry_v1.
 * Everything else crosses the boundary through the structs below, and every document crosses
 * it as UTF-8 JSON text, so the same library runs inside the engine or inside a separate plugin
 * host process with no change. Plain C, no includes beyond <stdint.h> and <stddef.h>.
 *
 * Thread tags on every function pointer:
 *   [load-time]            called once, before anything else, on the loading thread
 *   [any-thread]           may be called from any thread, concurrently with anything
 *   [instance-serialized]  never called concurrently for the same instance, unless the step
 *                          type declares COALITION_CAP_THREAD_SAFE; calls may move between threads
 *
 * Ownership: whoever allocates frees. Strings a plugin returns in coalition_result_t are
 * released by the host through the descriptor's free_string. Strings the host passes in are
 * owned by the host and valid only for the duration of the call.
 *
 * Growth: a minor version only appends fields to the end of a struct (readers never read past
 * struct_size) or adds extension ids. A breaking change gets a new major version and a new
 * entry symbol (coalition_plugin_entry_v2), so one library can export both while partners
 * migrate.
 */
#ifndef COALITION_PLUGIN_ABI_H_
#define COALITION_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COALITION_ABI_MAGIC 0x434F414Cu /* "COAL" */
#define COALITION_ABI_MAJOR 1u
#define COALITION_ABI_MINOR 2u
#define COALITION_ENTRY_SYMBOL_V1 "coalition_plugin_entry_v1"

#if defined(_WIN32)
#define COALITION_EXPORT __declspec(dllexport)
#else
#define COALITION_EXPORT __attribute__((visibility("default")))
#endif

/* Kind of organisation that publishes a plugin (coalition_plugin_descriptor_t.partner_type). */
#define COALITION_PARTNER_FINANCIAL 1u
#define COALITION_PARTNER_TECHNOLOGY 2u
#define COALITION_PARTNER_NGO 3u
#define COALITION_PARTNER_COALITION 4u

/* Step type capability bits (coalition_step_type_t.capabilities). */
#define COALITION_CAP_IDEMPOTENT 0x1u  /* repeating an attempt with the same key is harmless */
#define COALITION_CAP_THREAD_SAFE 0x2u /* execute/resume may run concurrently on one instance */
#define COALITION_CAP_MAY_SUSPEND 0x4u /* execute may return COALITION_STATUS_SUSPEND */
/* execute and resume compute their answer from their input and return at once: no I/O, no
 * sleeping, no lock another call may hold for long, no effect beyond the answer. An engine that
 * knows the bit may then call a thread-safe step type in process on its own thread instead of
 * handing it to a plugin thread (saving a thread hand-off each way), and may call execute before
 * the attempt's start is durable and resume before the completion it answers is (both are then
 * committed together, and a crash before that commit leaves nothing of either), and may make a
 * call again and apply the second answer (the same input must give the same answer); one that
 * does not know the bit ignores it. A step that declares it and blocks stalls every execution of
 * that engine: declare it only for pure computation. */
#define COALITION_CAP_NON_BLOCKING 0x8u

/* Outcome of create, execute and resume (coalition_result_t.status). */
#define COALITION_STATUS_OK 0u                 /* output_json: the step's output document */
#define COALITION_STATUS_RETRYABLE_ERROR 1u    /* error_json; the engine's retry policy applies */
#define COALITION_STATUS_PERMANENT_ERROR 2u    /* error_json; never retried */
#define COALITION_STATUS_INVALID_PARAMETERS 3u /* error_json with "pointer" into the parameters */
#define COALITION_STATUS_SUSPEND 4u            /* output_json: what the step waits for */

/* Log levels for coalition_host_api_t.log. */
#define COALITION_LOG_DEBUG 1u
#define COALITION_LOG_INFO 2u
#define COALITION_LOG_WARN 3u
#define COALITION_LOG_ERROR 4u

/*
 * The answer of a plugin call. The host zeroes it and sets struct_size before the call; the
 * plugin sets status and at most the two strings, each allocated by the plugin and released by
 * the host through free_string.
 *   output_json  OK: any JSON value, the step's output. SUSPEND: a JSON object describing what
 *                the step waits for (for example {"reason":"approval","roles":["aml_officer"]}).
 *                The completion is matched by the task_token the host put in the context.
 *   error_json   errors: {"code":"dotted.name","message":"one sentence","pointer":"/json/ptr"};
 *                "pointer" only for COALITION_STATUS_INVALID_PARAMETERS, into the parameters.
 */
typedef struct coalition_result {
  uint32_t struct_size;
  uint32_t status;
  char* output_json;
  char* error_json;
} coalition_result_t;

/*
 * Services the host offers a step instance. Owned by the host, valid until destroy() of every
 * instance created with it returns.
 */
typedef struct coalition_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t reserved;
  void* host_ctx;
  /* [any-thread] Writes one log line under the plugin's name. message is UTF-8; the host never
   * keeps the pointer. Never log personal data (contact channels) in clear. */
  void (*log)(void* host_ctx, uint32_t level, const char* message);
  /* [any-thread] Returns an optional host extension by versioned id ("coalition.secrets/1"),
   * or NULL when the host does not offer it. */
  const void* (*get_extension)(void* host_ctx, const char* extension_id);
} coalition_host_api_t;

/*
 * Host extension "coalition.calendar/1" (ABI 1.1): business-day arithmetic under the engine's
 * calendars (calendars.directory of the engine configuration), so a plugin computes a deadline
 * exactly as the engine computes a step's. get_extension may return NULL (a host without
 * calendar support); with no calendars configured, every id is COALITION_CALENDAR_UNKNOWN.
 */
#define COALITION_EXT_CALENDAR_V1 "coalition.calendar/1"
#define COALITION_CALENDAR_OK 0
#define COALITION_CALENDAR_UNKNOWN 1     /* no calendar with that id */
#define COALITION_CALENDAR_BAD_INSTANT 2 /* `from` is not an RFC 3339 instant */
#define COALITION_CALENDAR_BUFFER 3      /* out_size too small (32 bytes always suffice) */
/* A day the count needs is outside the years the calendar declares it is right for: a
 * configuration error to report, never a reason to count without holidays. */
#define COALITION_CALENDAR_NOT_COVERED 4

typedef struct coalition_calendar_ext_v1 {
  uint32_t struct_size;
  /* [any-thread] Writes to out, NUL-terminated, the instant `days` business days of calendar
   * `calendar_id` after `from` (RFC 3339): 23:59:59 local time of that business day, as
   * RFC 3339 UTC. host_ctx is coalition_host_api_t.host_ctx. Returns COALITION_CALENDAR_*. */
  int (*add_business_days)(void* host_ctx, const char* calendar_id, const char* from, uint32_t days,
                           char* out, size_t out_size);
} coalition_calendar_ext_v1_t;

/*
 * One step type: the unit a workflow's task step names in its "type" field.
 *
 * Schemas are JSON Schema draft-07 documents, as JSON text with static lifetime.
 *   parameters_schema_json  required; checked against the step's parameters when a workflow is
 *                           validated and against the resolved parameters before every attempt.
 *                           Object keys the schema does not declare are errors unless it says
 *                           otherwise with "additionalProperties".
 *   input_schema_json       optional (NULL); extra constraints on the resolved parameters that
 *                           only hold once references into the context are filled in.
 *   output_schema_json      optional (NULL); checked against every successful output, and tells
 *                           the workflow validator what the step writes.
 *   answer_schema_json      (1.2) optional (NULL); for a step type that may suspend on a task:
 *                           what every answer to its tasks looks like, whatever the parameters.
 *                           Every task of the type is checked against it, and a task that
 *                           names its own (a form built from the parameters) against both. It is
 *                           not copied into the task: a suspend output that names none, or this
 *                           one, is recorded and resumed without it. Read only when struct_size
 *                           covers it.
 */
typedef struct coalition_step_type {
  uint32_t struct_size;
  uint32_t capabilities; /* COALITION_CAP_* bits */
  const char* name;      /* globally unique, [a-z][a-z0-9_.]*, e.g. "noop", "aml.red_flags" */
  const char* description;
  const char* parameters_schema_json;
  const char* input_schema_json;
  const char* output_schema_json;

  /* [any-thread] Creates an instance configured by config_json (the plugin's section of the
   * engine configuration, "{}" when none). Returns NULL on failure and fills *error. */
  void* (*create)(const coalition_host_api_t* host, const char* config_json,
                  coalition_result_t* error);

  /* [instance-serialized] Runs one attempt. input_json is the step's resolved parameters
   * (already valid against the schemas). context_json is an object with "execution_id",
   * "step_id", "attempt" (1-based), "idempotency_key" (stable across retries and restarts of the
   * same logical step), "deadline" (RFC 3339 UTC or null), "principal" ({"actor","role",
   * "organisation"} or null), "task_token" (names the completion of a suspended attempt) and
   * "now" (the engine's clock, RFC 3339 UTC; virtual under --now: use it, not the system clock). */
  void (*execute)(void* instance, const char* input_json, const char* context_json,
                  coalition_result_t* out);

  /* [instance-serialized] Optional (NULL when the step never suspends). Turns the completion of a
   * suspended attempt (completion_json: the answer, as delivered to the engine) into the step's
   * outcome; may suspend again. context_json as for execute. */
  void (*resume)(void* instance, const char* completion_json, const char* context_json,
                 coalition_result_t* out);

  /* [any-thread] Destroys an instance; no call on it is in progress or will follow. */
  void (*destroy)(void* instance);

  /* Appended in 1.2; see the schemas above. */
  const char* answer_schema_json;
} coalition_step_type_t;

/*
 * What a plugin library provides. The first four fields never move, so any host can read them
 * and refuse a library it does not understand before touching anything else. Static lifetime.
 */
typedef struct coalition_plugin_descriptor {
  uint32_t magic;          /* COALITION_ABI_MAGIC */
  uint32_t struct_size;    /* sizeof(coalition_plugin_descriptor_t) the plugin was built with */
  uint32_t abi_major;      /* COALITION_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;      /* COALITION_ABI_MINOR the plugin was built with */
  const char* id;          /* [a-z][a-z0-9_]*, equal to the library name without lib/.so */
  const char* version;     /* semantic version of the plugin, "1.4.0" */
  const char* publisher;   /* organisation that publishes it */
  const char* description; /* one sentence */
  uint32_t partner_type;   /* COALITION_PARTNER_* */
  uint32_t step_type_count;
  const coalition_step_type_t* const* step_types; /* step_type_count entries */
  /* [any-thread] Releases a string the plugin returned in a coalition_result_t. */
  void (*free_string)(char* s);
} coalition_plugin_descriptor_t;

/*
 * [load-time] The one exported symbol. The host passes its own ABI version; a plugin may
 * return NULL to refuse a host it cannot work with. The host then checks magic, major, minor
 * (plugin minor <= host minor) and struct_size before reading any other field.
 */
typedef const coalition_plugin_descriptor_t* (*coalition_plugin_entry_v1_fn)(
    uint32_t host_abi_major, uint32_t host_abi_minor);

COALITION_EXPORT const coalition_plugin_descriptor_t* coalition_plugin_entry_v1(
    uint32_t host_abi_major, uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* COALITION_PLUGIN_ABI_H_ */
