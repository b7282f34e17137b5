"""Optional two-factor login (TOTP, django-otp) — offered to every user, recommended for province and
county administrators. A user who has bound an authenticator app must give its 6-digit code at login;
users without one log in with the password alone."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import check_password
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.forms import AuthenticationForm


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Username + password, plus the authenticator code when the user has bound one."""

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required="该账号已开启双重验证：请填写手机验证器上显示的6位动态验证码。",
        invalid_token="动态验证码不正确或已过期，请重新输入验证器上当前显示的6位数字。",
        n_failed_attempts="动态验证码连续输错 %(failure_count)d 次，验证已暂时停用，请稍后再试。",
        verification_not_allowed="动态验证暂时停用，请稍后再试。",
        device_required="该账号尚未绑定验证器。",
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label="动态验证码",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "placeholder": "已开启双重验证的账号填写",
            }
        ),
    )

    def _chosen_device(self, user):
        # One authenticator per user: use it without asking the user to pick a device.
        return super()._chosen_device(user) or TOTPDevice.objects.filter(user=user, confirmed=True).first()

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            self.clean_otp(user)
        return cleaned


class EnrolForm(forms.Form):
    token = forms.CharField(label="验证器上显示的6位数字", max_length=8)


class RemoveForm(forms.Form):
    password = forms.CharField(label="当前密码", widget=forms.PasswordInput)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def otp_settings_view(request: HttpRequest):
    """Bind an authenticator app (scan, confirm with a code) or remove the binding (with the password)."""
    from django.contrib import admin

    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    pending = None
    enrol_form, remove_form = EnrolForm(), RemoveForm()
    if confirmed is not None:
        if request.method == "POST":
            remove_form = RemoveForm(request.POST)
            if remove_form.is_valid():
                if check_password(remove_form.cleaned_data["password"], user.password):
                    TOTPDevice.objects.filter(user=user).delete()
                    return redirect(request.path)
                remove_form.add_error("password", "密码不正确。")
    else:
        pending, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "手机验证器"}
        )
        if request.method == "POST":
            enrol_form = EnrolForm(request.POST)
            if enrol_form.is_valid():
                if pending.verify_token(enrol_form.cleaned_data["token"].strip()):
                    pending.confirmed = True
                    pending.save(update_fields=["confirmed"])
                    return redirect(request.path)
                enrol_form.add_error("token", "验证码不正确：请确认手机时间准确，并输入当前显示的6位数字。")
    context = {
        **admin.site.each_context(request),
        "title": "双重验证（动态验证码）",
        "confirmed": confirmed,
        "enrol_form": enrol_form,
        "remove_form": remove_form,
    }
    if pending is not None:
        context["qr_svg"] = _qr_svg(pending.config_url)
        context["secret"] = base64.b32encode(pending.bin_key).decode()
    return TemplateResponse(request, "accounts/otp_settings.html", context)
