"""The `emeth` command line, driven as a user would, its outputs checked against independent
implementations (eth-account, eth-abi, eth-hash) and its errors checked for clear messages."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN", str(ROOT / ".build" / "debug" / "emeth"))
KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ADDR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

MAIL = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}],
    },
    "primaryType": "Mail",
    "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
    "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"}, "contents": "Hello, Bob!"},
}


def emeth(*args, env=None, stdin=None):
    if not os.path.exists(EMETH):
        pytest.fail(f"{EMETH} is missing: build it first (swift build)")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    full_env.update(env or {})
    return subprocess.run([EMETH, *args], capture_output=True, text=True, env=full_env, input=stdin, timeout=120)


def test_keccak_of_hex_and_text():
    assert emeth("util", "keccak", "0x616263").stdout.strip() == "0x" + keccak(b"abc").hex()
    out = emeth("util", "keccak", "--text", "transfer(address,uint256)").stdout.strip()
    assert out == "0x" + keccak(b"transfer(address,uint256)").hex()


def test_abi_encode_matches_eth_abi():
    r = emeth("util", "abi-encode", "f(uint256,address[],string,(bool,bytes3))", "42",
              "[0x70997970C51812dc3A010C7d01b50e0d17dc79C8,0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266]", "hello", "(true,0x616263)")
    assert r.returncode == 0, r.stderr
    expected = encode(["uint256", "address[]", "string", "(bool,bytes3)"],
                      [42, ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", ADDR], "hello", (True, b"abc")])
    assert r.stdout.strip() == "0x" + expected.hex()
    r = emeth("util", "abi-encode", "--calldata", "transfer(address,uint256)", ADDR, "1")
    assert r.stdout.strip() == "0xa9059cbb" + encode(["address", "uint256"], [ADDR, 1]).hex()


def test_sign_and_recover_typed_data_match_eth_account(tmp_path):
    f = tmp_path / "mail.json"
    f.write_text(json.dumps(MAIL))
    r = emeth("util", "sign-typed-data", "--file", str(f), env={"EMETH_PRIVATE_KEY": KEY})
    assert r.returncode == 0, r.stderr
    expected = Account.sign_message(encode_typed_data(full_message=MAIL), KEY).signature.hex()
    assert r.stdout.strip() == "0x" + expected.removeprefix("0x")
    r2 = emeth("util", "recover-typed-data", "--file", str(f), "--sig", r.stdout.strip())
    assert r2.stdout.strip() == ADDR


def test_keystore_new_import_address_and_eth_account_reads_it(tmp_path):
    env = {"EMETH_KEYSTORE_PASSWORD": "correct horse", "EMETH_PRIVATE_KEY": KEY}
    out = tmp_path / "k.json"
    r = emeth("keys", "import", "--out", str(out), "--light", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ADDR
    assert (out.stat().st_mode & 0o777) == 0o600
    assert "0x" + Account.decrypt(json.loads(out.read_text()), "correct horse").hex() == KEY
    r = emeth("keys", "address", "--keystore", str(out), env={"EMETH_KEYSTORE_PASSWORD": "correct horse"})
    assert r.stdout.strip() == ADDR
    r = emeth("keys", "address", "--keystore", str(out), env={"EMETH_KEYSTORE_PASSWORD": "wrong"})
    assert r.returncode != 0 and "password" in r.stderr.lower()
    r = emeth("keys", "import", "--out", str(out), "--light", env=env)
    assert r.returncode != 0 and "already exists" in r.stderr
    new = tmp_path / "new.json"
    r = emeth("keys", "new", "--out", str(new), "--light", env={"EMETH_KEYSTORE_PASSWORD": "pw"})
    assert r.returncode == 0
    assert Account.from_key(Account.decrypt(json.loads(new.read_text()), "pw")).address == r.stdout.strip()


@pytest.mark.parametrize("args,env,message", [
    (["util", "keccak", "0xzz"], {}, "invalid hex"),
    (["util", "keccak"], {}, "either hex data or --text"),
    (["util", "abi-encode", "f(uint8)", "256"], {}, "uint8"),
    (["util", "abi-encode", "f(address)", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"], {}, "checksum"),
    (["util", "abi-encode", "f(uint256", "1"], {}, "invalid signature"),
    (["util", "abi-encode", "f(uint256,uint256)", "1"], {}, "takes 2 argument"),
    (["util", "recover-typed-data", "--file", "/nonexistent.json", "--sig", "0x00"], {}, "cannot read"),
    (["keys", "address"], {}, "no signing key"),
    (["keys", "address"], {"EMETH_PRIVATE_KEY": "0x1234"}, "EMETH_PRIVATE_KEY"),
    (["util", "transfer", "--rpc", "nope", "--to", ADDR, "--value", "1"], {"EMETH_PRIVATE_KEY": KEY}, "invalid --rpc"),
    (["util", "transfer", "--rpc", "http://127.0.0.1:1", "--to", ADDR, "--value=-1"], {"EMETH_PRIVATE_KEY": KEY}, "invalid --value"),
])
def test_bad_input_gives_a_clear_error(args, env, message):
    r = emeth(*args, env=env)
    assert r.returncode != 0
    assert message.lower() in r.stderr.lower(), r.stderr
    assert r.stdout == ""


def test_typed_data_errors_name_the_path(tmp_path):
    bad = json.loads(json.dumps(MAIL))
    bad["message"]["to"]["wallet"] = "0x1234"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(bad))
    r = emeth("util", "sign-typed-data", "--file", str(f), env={"EMETH_PRIVATE_KEY": KEY})
    assert r.returncode != 0 and "message.to.wallet" in r.stderr, r.stderr
