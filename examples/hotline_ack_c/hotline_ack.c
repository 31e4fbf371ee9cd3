/* hotline_ack: a plugin in plain C99, with nothing but the C ABI (coalition/plugin_abi.h) and the
 * SDK's little JSON helper (coalition/plugin_json.h).
 *
 * Its one step type, "hotline_ack.acknowledge", is what a fictional NGO hotline's intake does
 * first with a report that reaches it through the coalition: it acknowledges the report by its
 * reference — the engine carries references, never content — and answers within how many hours
 * the hotline commits to act: 24 for priority 1, 72 for priority 2, 168 otherwise. A report the
 * hotline cannot take (another jurisdiction) is a permanent error the workflow can catch.
 * All names and data are fictional. */
#include <coalition/plugin_abi.h>
#include <coalition/plugin_json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every string this plugin hands the engine is malloc'd; the engine gives it back here. */
static void release(char* s) {
  free(s);
}

static char* copy_of(const char* s) {
  const size_t n = strlen(s) + 1;
  char* copy = (char*)malloc(n);
  if (copy != NULL) memcpy(copy, s, n);
  return copy;
}

/* An error document: {"code": ..., "message": ...}. */
static char* error_document(const char* code, const char* message) {
  coalition_json_writer_t w;
  coalition_json_begin(&w);
  coalition_json_add_string(&w, "code", code);
  coalition_json_add_string(&w, "message", message);
  return coalition_json_end(&w);
}

/* The instance: the jurisdictions this hotline serves, from the plugin's configuration
 * ({"jurisdictions": "AU NZ"}, default "AU"). */
typedef struct {
  char jurisdictions[128];
} hotline_t;

static void* create(const coalition_host_api_t* host, const char* config_json,
                    coalition_result_t* error) {
  hotline_t* hotline = (hotline_t*)calloc(1, sizeof *hotline);
  if (hotline == NULL) {
    error->status = COALITION_STATUS_PERMANENT_ERROR;
    error->error_json = error_document("hotline_ack.no_memory", "out of memory");
    return NULL;
  }
  int found = coalition_json_get_string(config_json, "jurisdictions", hotline->jurisdictions,
                                        sizeof hotline->jurisdictions);
  if (found == COALITION_JSON_MISSING) {
    strcpy(hotline->jurisdictions, "AU");
  } else if (found != COALITION_JSON_OK) {
    free(hotline);
    error->status = COALITION_STATUS_PERMANENT_ERROR;
    error->error_json = error_document("hotline_ack.bad_config",
                                       "jurisdictions must be a short string such as \"AU NZ\"");
    return NULL;
  }
  if (host != NULL && host->log != NULL) {
    host->log(host->host_ctx, COALITION_LOG_DEBUG, "hotline_ack instance created");
  }
  return hotline;
}

static int serves(const hotline_t* hotline, const char* jurisdiction) {
  const size_t n = strlen(jurisdiction);
  for (const char* p = hotline->jurisdictions; (p = strstr(p, jurisdiction)) != NULL; p += n) {
    const int starts = p == hotline->jurisdictions || p[-1] == ' ';
    const int ends = p[n] == '\0' || p[n] == ' ';
    if (starts && ends) return 1;
  }
  return 0;
}

static void execute(void* instance, const char* input_json, const char* context_json,
                    coalition_result_t* out) {
  const hotline_t* hotline = (const hotline_t*)instance;
  char report_ref[64];
  char jurisdiction[8];
  char key[512];
  int64_t priority = 3;
  /* The engine checked the parameters against the schema below: these are there and typed. */
  if (coalition_json_get_string(input_json, "report_ref", report_ref, sizeof report_ref) !=
          COALITION_JSON_OK ||
      coalition_json_get_string(input_json, "jurisdiction", jurisdiction, sizeof jurisdiction) !=
          COALITION_JSON_OK) {
    out->status = COALITION_STATUS_INVALID_PARAMETERS;
    out->error_json = error_document("parameters.invalid", "report_ref and jurisdiction");
    return;
  }
  (void)coalition_json_get_int64(input_json, "priority", &priority);
  if (!serves(hotline, jurisdiction)) {
    char message[200];
    snprintf(message, sizeof message, "this hotline serves %s, not %s", hotline->jurisdictions,
             jurisdiction);
    out->status = COALITION_STATUS_PERMANENT_ERROR;
    out->error_json = error_document("hotline_ack.other_jurisdiction", message);
    return;
  }
  /* The idempotency key is the same on every attempt of this step: an acknowledgement sent
   * twice is one acknowledgement. */
  if (coalition_json_get_string(context_json, "idempotency_key", key, sizeof key) !=
      COALITION_JSON_OK) {
    strcpy(key, "");
  }
  coalition_json_writer_t w;
  coalition_json_begin(&w);
  coalition_json_add_bool(&w, "acknowledged", 1);
  coalition_json_add_string(&w, "report_ref", report_ref);
  coalition_json_add_int64(&w, "act_within_hours", priority == 1 ? 24 : priority == 2 ? 72 : 168);
  coalition_json_add_string(&w, "acknowledgement_key", key);
  out->output_json = coalition_json_end(&w);
  out->status = out->output_json != NULL ? COALITION_STATUS_OK : COALITION_STATUS_RETRYABLE_ERROR;
  if (out->output_json == NULL) {
    out->error_json = copy_of("{\"code\":\"hotline_ack.no_memory\",\"message\":\"out of memory\"}");
  }
}

static void destroy(void* instance) {
  free(instance);
}

/* Designated initializers: a field a later ABI minor appends stays zero (NULL), unnamed. */
static const coalition_step_type_t acknowledge = {
    .struct_size = sizeof(coalition_step_type_t),
    .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
    .name = "hotline_ack.acknowledge",
    .description =
        "Acknowledges a report to the hotline by its reference and says when the hotline will "
        "act.",
    .parameters_schema_json =
        "{\"type\": \"object\", \"properties\": {"
        "  \"report_ref\": {\"type\": \"string\", \"pattern\": "
        "\"^[A-Z]{2,4}-[0-9]{4}-[0-9]{3,6}$\"},"
        "  \"jurisdiction\": {\"type\": \"string\", \"pattern\": \"^[A-Z]{2}$\"},"
        "  \"priority\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 3}},"
        " \"required\": [\"report_ref\", \"jurisdiction\"]}",
    .output_schema_json =
        "{\"type\": \"object\", \"properties\": {"
        "  \"acknowledged\": {\"const\": true}, \"report_ref\": {\"type\": \"string\"},"
        "  \"act_within_hours\": {\"enum\": [24, 72, 168]},"
        "  \"acknowledgement_key\": {\"type\": \"string\"}},"
        " \"required\": [\"acknowledged\", \"report_ref\", \"act_within_hours\"]}",
    .create = create,
    .execute = execute,
    .resume = NULL, /* never suspends */
    .destroy = destroy,
};

static const coalition_step_type_t* const step_types[] = {&acknowledge};

static const coalition_plugin_descriptor_t descriptor = {
    COALITION_ABI_MAGIC,
    sizeof(coalition_plugin_descriptor_t),
    COALITION_ABI_MAJOR,
    0, /* needs nothing ABI 1.1 added: loads in every 1.x engine */
    "hotline_ack",
    "1.0.0",
    "Northwind Hotline (fictional)",
    "Acknowledges reports that reach a fictional NGO hotline through the coalition.",
    COALITION_PARTNER_NGO,
    1,
    step_types,
    release,
};

COALITION_EXPORT const coalition_plugin_descriptor_t* coalition_plugin_entry_v1(
    uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == COALITION_ABI_MAJOR ? &descriptor : NULL;
}
