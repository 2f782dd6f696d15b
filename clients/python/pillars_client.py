"""A thin client for the Pillars gateway and the Pillars reward server, standard library only.

    from pillars_client import PillarsGateway, PillarsRewards

    gw = PillarsGateway("http://127.0.0.1:8787", api_key="pk_...")
    d = gw.guard("How do I kill a Python process that hangs?")
    d["action"]                        # allow | deflect | refuse | redact

    r = gw.chat([{"role": "user", "content": "Can I return an opened laptop?"}],
                model="support-rag", sources=["Opened laptops can be returned within 15 days ..."])
    r.text, r.decision, r.grounding    # the answer, x-pillars-decision, x-pillars-grounding

    for piece in gw.chat_stream([{"role": "user", "content": "Hello"}]):
        print(piece, end="")

    rm = PillarsRewards("http://127.0.0.1:8000")
    rm.reward([{"prompt": "Say hi", "response": "Hi!"}])[0]["reward"]

Errors from the server raise PillarsError (status, code, message). Python 3.8+; no packages.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["PillarsError", "PillarsGateway", "PillarsRewards", "ChatResult"]
__version__ = "0.1.0"


class PillarsError(Exception):
    """An error answer (HTTP status >= 400) or an unreachable server."""

    def __init__(self, status, message, code=None):
        super().__init__("%s: %s" % (status, message))
        self.status = status
        self.code = code
        self.message = message


def _request(method, url, body=None, headers=None, timeout=30.0):
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("accept", "application/json")
    if data is not None:
        req.add_header("content-type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        raw = e.read().decode("utf-8", "replace")
        message, code = raw[:300], None
        try:
            err = json.loads(raw).get("error", {})
            if isinstance(err, dict):
                message, code = err.get("message", message), err.get("code")
            elif isinstance(err, str):
                message = err
        except ValueError:
            pass
        raise PillarsError(e.code, message, code) from None
    except urllib.error.URLError as e:
        raise PillarsError(0, "cannot reach %s: %s" % (url, e.reason)) from None


def _json(resp):
    with resp:
        return json.loads(resp.read().decode("utf-8"))


class ChatResult(dict):
    """A chat completion (the OpenAI JSON body) with the gateway's decision headers."""

    def __init__(self, body, headers):
        super().__init__(body)
        self.headers = {k.lower(): v for k, v in headers.items()}

    @property
    def text(self):
        choices = self.get("choices") or [{}]
        return (choices[0].get("message") or {}).get("content") or ""

    @property
    def decision(self):
        return self.headers.get("x-pillars-decision")

    @property
    def policy(self):
        return self.headers.get("x-pillars-policy")

    @property
    def grounding(self):
        g = self.headers.get("x-pillars-grounding")
        return None if g is None else float(g)

    @property
    def request_id(self):
        return self.headers.get("x-pillars-request-id")


class PillarsGateway:
    """The guardrail gateway: POST /v1/guard, POST /v1/chat/completions, GET /v1/models, GET /readyz."""

    def __init__(self, base_url, api_key=None, context=None, timeout=30.0):
        base = base_url.rstrip("/")
        self.base_url = base[:-3] if base.endswith("/v1") else base
        self.api_key = api_key
        self.context = context
        self.timeout = timeout

    def __repr__(self):
        # Never the key.
        return "PillarsGateway(%r)" % self.base_url

    def _headers(self, extra=None):
        h = {}
        if self.api_key:
            h["authorization"] = "Bearer " + self.api_key
        if self.context:
            h["x-pillars-context"] = self.context
        h.update(extra or {})
        return h

    def guard(self, text=None, messages=None, role="input", context=None):
        """Decide on a text (or a conversation): the decision dict (action, policy, level, score, reasons ...)."""
        if (text is None) == (messages is None):
            raise ValueError("give text or messages")
        body = {"role": role}
        if text is not None:
            body["text"] = text
        else:
            body["messages"] = messages
        if context:
            body["context"] = context
        return _json(_request("POST", self.base_url + "/v1/guard", body, self._headers(), self.timeout))

    def chat(self, messages, model=None, sources=None, documents=None, **extra):
        """A chat completion through the gateway. `sources` (strings) are sent in x-pillars-sources for grounding."""
        body = dict(extra, messages=messages)
        if model is not None:
            body["model"] = model
        if documents is not None:
            body["documents"] = documents
        headers = {}
        if sources:
            headers["x-pillars-sources"] = urllib.parse.quote(json.dumps(list(sources)))
        resp = _request("POST", self.base_url + "/v1/chat/completions", body, self._headers(headers), self.timeout)
        with resp:
            return ChatResult(json.loads(resp.read().decode("utf-8")), dict(resp.headers.items()))

    def chat_stream(self, messages, model=None, **extra):
        """Stream a chat completion: yields the text pieces as the gateway releases them."""
        body = dict(extra, messages=messages, stream=True)
        if model is not None:
            body["model"] = model
        resp = _request("POST", self.base_url + "/v1/chat/completions", body, self._headers(), self.timeout)
        with resp:
            for raw in resp:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                chunk = json.loads(data)
                for choice in chunk.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        yield piece

    def models(self):
        return _json(_request("GET", self.base_url + "/v1/models", None, self._headers(), self.timeout))

    def ready(self):
        """True when the gateway is ready (GET /readyz answers 200)."""
        try:
            _json(_request("GET", self.base_url + "/readyz", None, None, self.timeout))
            return True
        except PillarsError:
            return False


class PillarsRewards:
    """The reward server (`pillars reward serve`): POST /v1/reward, POST /get_reward, GET /healthz."""

    def __init__(self, base_url, timeout=60.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def reward(self, items):
        """items: [{"prompt": ..., "response": ...}] -> [{"reward": float, "components": {...}, "reasons": [...]}]."""
        return _json(_request("POST", self.base_url + "/v1/reward", {"items": list(items)}, None, self.timeout))["rewards"]

    def get_reward(self, queries, prompts=None):
        """The OpenRLHF remote reward-model protocol: one float per query."""
        body = {"query": list(queries)}
        if prompts is not None:
            body["prompts"] = list(prompts)
        return _json(_request("POST", self.base_url + "/get_reward", body, None, self.timeout))["rewards"]

    def health(self):
        return _json(_request("GET", self.base_url + "/healthz", None, None, self.timeout))
