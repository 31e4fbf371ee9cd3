"""merchant_screen: a (fictional) payment firm's merchant screening steps, as an exec plugin.

A member of a financial coalition screens the merchants it acquires for signs that they sell
child sexual abuse material: a match against a hotline's hash list, a descriptor that does not
match the goods, crypto on-ramps. This program never sees content, card numbers or people: only
the firm's own merchant reference, a merchant category code, the acquirer's country and the
indicators the firm's systems raised. All names and data are fictional.

It is an exec plugin: the Coalition plugin host starts it and speaks the exec protocol
("coalition.exec/1") on its standard input and output, one JSON object per line:

  {"call": "describe", "protocol": 1, "plugin_id": ..., "config": {...}}  -> what it declares
  {"call": "execute", "id": n, "step_type": ..., "input": {...}, "context": {...}}
  {"call": "resume", "id": n, "step_type": ..., "completion": {...}, "context": {...}}
                                                     -> {"id": n, "status": ..., ...}

Anything else it wants to say goes to standard error (the engine's log) or as a
{"log": {"level", "message"}} line. Only the Python standard library is used.
"""

import json
import sys

PLUGIN = {
    "id": "merchant_screen",
    "version": "1.0.0",
    "publisher": "Tailspin Payments (fictional)",
    "description": "Merchant screening of a payment firm, written in Python.",
    "partner_type": "financial",
}

INDICATORS = ["hotline_hash_match", "descriptor_mismatch", "crypto_onramp",
              "high_chargeback_ratio", "keyword_hit", "new_merchant"]

# How much each indicator weighs; a hotline hash match alone is enough for the highest risk.
WEIGHTS = {"hotline_hash_match": 100, "descriptor_mismatch": 30, "crypto_onramp": 25,
           "high_chargeback_ratio": 20, "keyword_hit": 30, "new_merchant": 10}

ASSESS = {
    "name": "merchant_screen.assess",
    "description": "Scores a merchant's risk indicators and says what the firm does next.",
    "capabilities": ["idempotent"],
    "parameters_schema": {
        "type": "object",
        "properties": {
            "merchant_ref": {"type": "string", "pattern": "^MER-[0-9]{6,10}$"},
            "mcc": {"type": "string", "pattern": "^[0-9]{4}$"},
            "acquirer_country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "indicators": {"type": "array", "items": {"enum": INDICATORS}, "maxItems": 10,
                           "uniqueItems": True},
        },
        "required": ["merchant_ref", "mcc", "acquirer_country"],
    },
    "output_schema": {
        "type": "object",
        "properties": {
            "merchant_ref": {"type": "string"},
            "score": {"type": "integer"},
            "risk": {"enum": ["low", "elevated", "high"]},
            "action": {"enum": ["monitor", "enhanced_due_diligence", "sar_review"]},
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["merchant_ref", "score", "risk", "action", "reasons"],
    },
}

DECISION = {
    "name": "merchant_screen.analyst_decision",
    "description": "Waits for a compliance analyst's decision on a merchant, then records it.",
    "capabilities": ["idempotent", "may_suspend"],
    "parameters_schema": {
        "type": "object",
        "properties": {
            "merchant_ref": {"type": "string", "pattern": "^MER-[0-9]{6,10}$"},
            "risk": {"enum": ["low", "elevated", "high"]},
        },
        "required": ["merchant_ref", "risk"],
    },
    "output_schema": {
        "type": "object",
        "properties": {
            "merchant_ref": {"type": "string"},
            "decision": {"enum": ["terminate", "enhanced_monitoring", "no_action"]},
            "decided_by": {"type": "string"},
            "sar_recommended": {"type": "boolean"},
        },
        "required": ["merchant_ref", "decision", "sar_recommended"],
    },
}


class Screen:
    def __init__(self, config):
        # Merchant category codes the firm treats as higher risk (configurable per coalition).
        self.high_risk_mccs = set(config.get("high_risk_mccs", ["4816", "5967", "7841"]))

    def assess(self, params, context):
        indicators = params.get("indicators", [])
        score = sum(WEIGHTS[i] for i in indicators)
        reasons = list(indicators)
        if params["mcc"] in self.high_risk_mccs:
            score += 20
            reasons.append("high_risk_mcc")
        if "hotline_hash_match" in indicators or score >= 70:
            risk, action = "high", "sar_review"
        elif score >= 30:
            risk, action = "elevated", "enhanced_due_diligence"
        else:
            risk, action = "low", "monitor"
        return ok({"merchant_ref": params["merchant_ref"], "score": score, "risk": risk,
                   "action": action, "reasons": reasons})

    def decide(self, params, context):
        ref = params["merchant_ref"]
        return {"status": "suspend", "output": {
            "title": "Decide on merchant " + ref,
            "instructions": "The screening found " + params["risk"] + " risk. Terminate, "
                            "monitor more closely, or take no action.",
            "merchant_ref": ref,
            "answer_schema": {
                "type": "object",
                "properties": {
                    "decision": {"enum": ["terminate", "enhanced_monitoring", "no_action"]},
                    "note": {"type": "string", "maxLength": 500},
                },
                "required": ["decision"],
                "additionalProperties": False,
            },
        }}

    def decided(self, completion, context):
        # The merchant travels in the task (the step's own record): no state is kept here.
        last = completion["completions"][-1]
        decision = last["data"]["decision"]
        return ok({"merchant_ref": completion.get("task", {}).get("merchant_ref", ""),
                   "decision": decision, "decided_by": last.get("actor", ""),
                   "sar_recommended": decision == "terminate"})


def ok(output):
    return {"status": "ok", "output": output}


def answer(line):
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    screen = None
    for text in sys.stdin:
        request = json.loads(text)
        call = request["call"]
        if call == "describe":
            screen = Screen(request.get("config") or {})
            answer(dict(PLUGIN, step_types=[ASSESS, DECISION]))
            continue
        step_type = request["step_type"]
        try:
            if call == "execute" and step_type == ASSESS["name"]:
                result = screen.assess(request["input"], request["context"])
            elif call == "execute" and step_type == DECISION["name"]:
                result = screen.decide(request["input"], request["context"])
            elif call == "resume" and step_type == DECISION["name"]:
                result = screen.decided(request["completion"], request["context"])
            else:
                result = {"status": "permanent_error",
                          "error": {"code": "merchant_screen.unknown_call",
                                    "message": call + " of " + step_type + " is not handled"}}
        except (KeyError, IndexError, TypeError) as e:
            # A document without what this step needs: the attempt fails, the program goes on.
            result = {"status": "permanent_error",
                      "error": {"code": "merchant_screen.bad_document",
                                "message": "missing or mistyped field: " + str(e)}}
        result["id"] = request["id"]
        answer(result)


if __name__ == "__main__":
    main()
