"""cfn-lint rules for Custom::MeshService.

cfn-lint's registry schemas do not cover `Custom::` types, so it cannot check a Custom::MeshService itself. These
rules are a thin wrapper over `mesh-service validate --format json`: the provider's own checks, run once per
template, each finding reported by the rule of its id (E9000-E9022, the same ids as `mesh-service validate`) at the
line and column the validator gives, in whatever format cfn-lint prints (text, parseable, json, junit, sarif...).

    cfn-lint --append-rules node_modules/mesh-service-provider/cfn-lint-rules/ template.yaml

Needs Node.js 20 or newer on PATH (or NODE=/path/to/node) and the mesh-service-provider package: the rules use
the `bin/mesh-service.js` beside this folder, or MESH_SERVICE_CLI (a command line), or `mesh-service` on PATH.
"""

import json
import os
import shutil
import subprocess

from cfnlint.rules import CloudFormationLintRule, RuleMatch

_HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCE_URL = "https://github.com/mesh-service-provider/mesh-service-provider/blob/main/docs/validate.md"
_TIMEOUT_SECONDS = 120
_cache = {}


def _command():
    """The command that runs `mesh-service`, or None."""
    configured = os.environ.get("MESH_SERVICE_CLI")
    if configured:
        return configured.split()
    beside = os.path.join(_HERE, "..", "bin", "mesh-service.js")
    if os.path.exists(beside):
        return [os.environ.get("NODE", "node"), beside]
    installed = shutil.which("mesh-service")
    return [installed] if installed else None


def _validate(filename):
    """The findings of `mesh-service validate --format json` for a file (once per file), or a problem to report."""
    if filename in _cache:
        return _cache[filename]
    command = _command()
    if not filename or filename == "-":
        result = {"problem": "mesh-service validate reads templates from files, not from standard input"}
    elif command is None:
        result = {"problem": "mesh-service is not found: install mesh-service-provider or set MESH_SERVICE_CLI"}
    else:
        try:
            proc = subprocess.run(
                command + ["validate", "--format", "json", filename],
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_SECONDS,
                check=False,
            )
            report = json.loads(proc.stdout)
            result = {"findings": [f for entry in report["files"] for f in entry["findings"]]}
        except (OSError, subprocess.SubprocessError, ValueError, KeyError) as error:
            result = {"problem": "mesh-service validate could not run: %s" % error}
    _cache[filename] = result
    return result


def _path(finding):
    """The cfn-lint path of a finding: Resources/<id>/Properties/<property path> (or Outputs/<name>/...)."""
    logical_id = finding.get("logicalId", "")
    if logical_id == "(template)":
        return []
    if logical_id.startswith("Outputs."):
        base = ["Outputs", logical_id[len("Outputs."):]]
    else:
        base = ["Resources", logical_id]
    path = finding.get("path", "")
    if path and not path.startswith("Properties"):
        base.append("Properties")
    for part in path.replace("[", ".").replace("]", "").split("."):
        if part:
            base.append(int(part) if part.isdigit() else part)
    return base


class _MeshServiceRule:
    """What every rule of this module shares; the subclasses only name their id."""

    tags = ["custom", "mesh-service"]
    source_url = _SOURCE_URL

    def match(self, cfn):
        result = _validate(cfn.filename)
        matches = []
        if "problem" in result:
            # Reported once, by E9000 (the template could not be checked).
            if self.id == "E9000":
                matches.append(RuleMatch([], result["problem"]))
            return matches
        for finding in result["findings"]:
            if finding.get("rule") != self.id:
                continue
            message = "%s%s: %s" % (
                finding.get("logicalId", ""),
                (": " + finding["path"]) if finding.get("path") else "",
                finding.get("message", ""),
            )
            if finding.get("hint"):
                message += " (%s)" % finding["hint"]
            extra = {}
            if finding.get("line"):
                line = finding["line"] - 1
                column = finding.get("column", 1) - 1
                extra["location"] = (line, column, line, column)
            matches.append(RuleMatch(_path(finding), message, **extra))
        return matches


def _rule(rule_id, text):
    return type(
        "MeshService%s" % rule_id,
        (_MeshServiceRule, CloudFormationLintRule),
        {
            "id": rule_id,
            "shortdesc": "Custom::MeshService: " + text.split(" (")[0],
            "description": "Custom::MeshService (mesh-service validate %s): %s" % (rule_id, text),
        },
    )


# The ids and texts of `mesh-service validate` (cli/validate.ts RULES); a test checks that they agree.
RULES = {
    "E9000": "the template cannot be read (file, YAML or JSON syntax, or not a template)",
    "E9001": "a YAML tag CloudFormation does not know (e.g. !Foo)",
    "E9010": "a Custom::MeshService without ServiceToken",
    "E9011": "a required property is missing",
    "E9012": "an unknown property",
    "E9013": "a value the property does not allow (type, range, length, pattern, allowed values, duplicates)",
    "E9014": "properties that break a rule together (a cross-property or AWS rule)",
    "E9020": "a Ref to a name that is neither a parameter, a resource nor a pseudo parameter",
    "E9021": "an Fn::GetAtt of a resource that does not exist",
    "E9022": "an Fn::GetAtt of an attribute the Custom::MeshService does not return for its properties",
}

MeshServiceE9000 = _rule("E9000", RULES["E9000"])
MeshServiceE9001 = _rule("E9001", RULES["E9001"])
MeshServiceE9010 = _rule("E9010", RULES["E9010"])
MeshServiceE9011 = _rule("E9011", RULES["E9011"])
MeshServiceE9012 = _rule("E9012", RULES["E9012"])
MeshServiceE9013 = _rule("E9013", RULES["E9013"])
MeshServiceE9014 = _rule("E9014", RULES["E9014"])
MeshServiceE9020 = _rule("E9020", RULES["E9020"])
MeshServiceE9021 = _rule("E9021", RULES["E9021"])
MeshServiceE9022 = _rule("E9022", RULES["E9022"])
