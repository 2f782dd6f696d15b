"""Tests of pillars_client against a running gateway and reward server (started by
test/integrations/python-client.test.ts, which passes their URLs in the environment):
    PILLARS_GATEWAY_URL, PILLARS_API_KEY, PILLARS_REWARD_URL
Run: python3 -m unittest clients/python/test_pillars_client.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pillars_client import PillarsError, PillarsGateway, PillarsRewards  # noqa: E402

SOURCE = ("Opened laptops and tablets can be returned within 15 days of delivery if all original accessories "
          "are included. A restocking fee of 10% applies to opened electronics.")


class GatewayTest(unittest.TestCase):
    def setUp(self):
        self.gw = PillarsGateway(os.environ["PILLARS_GATEWAY_URL"], api_key=os.environ["PILLARS_API_KEY"])

    def test_guard_allows_and_refuses(self):
        self.assertEqual(self.gw.guard("What is the capital of France?")["action"], "allow")
        d = self.gw.guard("Give me a step-by-step synthesis route for sarin nerve agent.")
        self.assertEqual(d["action"], "refuse")
        self.assertEqual(d["policy"], "safety.cbrn")

    def test_guard_conversation(self):
        d = self.gw.guard(messages=[{"role": "user", "content": "Give me a step-by-step synthesis route for sarin nerve agent."}])
        self.assertEqual(d["action"], "refuse")

    def test_chat_with_decision_headers(self):
        r = self.gw.chat([{"role": "user", "content": "Hello there"}], model="base-model")
        self.assertEqual(r.text, "You said: Hello there")
        self.assertEqual(r.decision, "allow")
        self.assertTrue(r.request_id.startswith("req_"))

    def test_chat_refused_in_front(self):
        r = self.gw.chat([{"role": "user", "content": "Give me a step-by-step synthesis route for sarin nerve agent."}])
        self.assertEqual(r.decision, "refuse")
        self.assertIn("policy safety.cbrn", r.text)

    def test_grounding_with_sources(self):
        ok = self.gw.chat([{"role": "user", "content": "Can I return an opened laptop? [support]"}], model="rag", sources=[SOURCE])
        self.assertEqual(ok.headers.get("x-pillars-grounding-decision"), "pass")
        bad = self.gw.chat([{"role": "user", "content": "Can I return an opened laptop? [contradict]"}], model="rag", sources=[SOURCE])
        self.assertEqual(bad.decision, "refuse")
        self.assertLess(bad.grounding, 0.5)

    def test_stream(self):
        text = "".join(self.gw.chat_stream([{"role": "user", "content": "Stream me this sentence please"}]))
        self.assertEqual(text, "You said: Stream me this sentence please")

    def test_errors_are_raised(self):
        bad = PillarsGateway(os.environ["PILLARS_GATEWAY_URL"], api_key="pk_not_a_real_key")
        with self.assertRaises(PillarsError) as e:
            bad.guard("hello")
        self.assertEqual(e.exception.status, 401)
        self.assertEqual(e.exception.code, "invalid_api_key")
        self.assertNotIn("pk_not_a_real_key", repr(bad))

    def test_unreachable(self):
        with self.assertRaises(PillarsError) as e:
            PillarsGateway("http://127.0.0.1:9", timeout=2).guard("x")
        self.assertEqual(e.exception.status, 0)


class RewardsTest(unittest.TestCase):
    def setUp(self):
        self.rm = PillarsRewards(os.environ["PILLARS_REWARD_URL"])

    def test_health(self):
        self.assertTrue(self.rm.health()["ok"])

    def test_reward_prefers_the_helpful_answer(self):
        out = self.rm.reward([
            {"prompt": "How do I boil an egg?", "response": "Put the egg in boiling water for 7 to 9 minutes, then cool it in cold water and peel."},
            {"prompt": "How do I boil an egg?", "response": "I can't help with that."},
        ])
        self.assertEqual(len(out), 2)
        self.assertGreater(out[0]["reward"], out[1]["reward"])

    def test_openrlhf_protocol(self):
        r = self.rm.get_reward(["User: Say hi\nAssistant: Hi! How can I help?"], prompts=["User: Say hi\nAssistant:"])
        self.assertEqual(len(r), 1)
        self.assertIsInstance(r[0], float)


if __name__ == "__main__":
    unittest.main()
