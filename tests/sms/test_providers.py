"""The provider registry: a name finds its folder, and only a provider's folder imports its SDK."""

import subprocess
import sys

import pytest

from crm.config import SmsSettings
from crm.errors import UsageError
from crm.sms.providers import PROVIDERS, make_sender


def test_the_console_provider_is_made_without_importing_twilio():
    code = (
        "import sys\n"
        "from crm.config import SmsSettings\n"
        "from crm.sms.providers import make_sender\n"
        "assert make_sender(SmsSettings()).name == 'console'\n"
        "assert 'twilio' not in sys.modules, 'twilio was imported'\n"
        "assert not [m for m in sys.modules if m.startswith(('alibabacloud', 'tencentcloud'))]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr


def test_each_provider_is_found_by_its_name(twilio_env, aliyun_env, tencent_env, monkeypatch):
    for name, value in (twilio_env | aliyun_env | tencent_env).items():
        monkeypatch.setenv(name, value)
    signed = {
        "aliyun": {"sign_name": "示例汽车"},
        "tencent": {"sign_name": "示例汽车", "sdk_app_id": "1400000001"},
    }

    for name in PROVIDERS:
        settings = SmsSettings(backend=name, **{name: signed[name]} if name in signed else {})
        assert make_sender(settings).name == name


def test_a_provider_the_product_does_not_know_is_refused_in_words():
    settings = SmsSettings.model_construct(backend="carrier-pigeon")

    with pytest.raises(UsageError, match="'carrier-pigeon' is not a provider this product knows"):
        make_sender(settings)
