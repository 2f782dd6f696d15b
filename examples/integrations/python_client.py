"""Pillars from Python, standard library only (clients/python/pillars_client.py).

    PILLARS_URL=http://127.0.0.1:8787 PILLARS_API_KEY=pk_... REWARD_URL=http://127.0.0.1:8000 \
        python3 examples/integrations/python_client.py

Copy clients/python/pillars_client.py next to your code (one file, no packages).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))

from pillars_client import PillarsError, PillarsGateway, PillarsRewards  # noqa: E402

gw = PillarsGateway(os.environ.get("PILLARS_URL", "http://127.0.0.1:8787"), api_key=os.environ.get("PILLARS_API_KEY"))

d = gw.guard("How do I kill a Python process that hangs?")
print("guard:", d["action"], d.get("policy"))

r = gw.chat([{"role": "user", "content": "Can I return a laptop I opened?"}], model=os.environ.get("MODEL", "base-model"),
            sources=["Opened laptops can be returned within 15 days of delivery if all accessories are included."])
print("chat:", r.decision, r.grounding, r.text)

print("stream:", "".join(gw.chat_stream([{"role": "user", "content": "Say hello"}])))

if os.environ.get("REWARD_URL"):
    rm = PillarsRewards(os.environ["REWARD_URL"])
    try:
        print("reward:", rm.reward([{"prompt": "Say hi", "response": "Hi! How can I help?"}])[0]["reward"])
    except PillarsError as e:
        print("reward server error:", e)
