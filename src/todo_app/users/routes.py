"""/auth: sign up, log in (JSON or OAuth2 form), who am I, sign out, password, account deletion."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from todo_app.deps import ClientAddress, CurrentSession, CurrentUser, Db, Hasher, Limits, SettingsDep
from todo_app.errors import UnsupportedMediaType
from todo_app.tokens import create_access_token
from todo_app.users import service
from todo_app.users.emails import InvalidEmail, normalize_email
from todo_app.users.models import (
    AccountDeletion,
    LoginRequest,
    PasswordChange,
    ProfileUpdate,
    SignupRequest,
    TokenResponse,
    UserPublic,
)

router = APIRouter(prefix="/auth", tags=["auth"])

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LOGIN_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {**LoginRequest.model_json_schema(), "title": "Credentials"}},
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["username", "password"],
                "properties": {
                    "username": {"type": "string", "description": "The account's email"},
                    "password": {"type": "string", "format": "password"},
                },
            }
        },
    },
}
LIMITED: dict[int | str, dict[str, Any]] = {429: {"description": "Too many attempts; see Retry-After"}}
GUARDED = {
    **LIMITED,
    403: {"description": "Sent by a web page of another site (an Origin not allowed)"},
}
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses={409: {"description": "An account with this email already exists"}, **GUARDED},
)
async def signup(body: SignupRequest, db: Db, hasher: Hasher) -> UserPublic:
    return await service.create(db, hasher, email=body.email, password=body.password)


@router.post(
    "/login",
    response_model=TokenResponse,
    openapi_extra={"requestBody": LOGIN_BODY},
    responses={
        401: {"description": "Incorrect email or password"},
        415: {"description": "Neither JSON (application/json) nor a form"},
        **GUARDED,
    },
)
async def login(
    request: Request, db: Db, hasher: Hasher, settings: SettingsDep, limits: Limits, address: ClientAddress
) -> TokenResponse:
    credentials = await _read_login(request)
    try:
        email: str | None = normalize_email(credentials.email)
    except InvalidEmail:
        email = None  # no such account can exist: answered like a wrong password, after as long
    account = email or credentials.email.strip().lower()
    await limits.reserve_attempt(account, address)  # a wrong password leaves it counted
    user, version = await service.authenticate(db, hasher, email=email, password=credentials.password)
    await limits.clear_failures(account, address)
    issued = create_access_token(
        user_id=user.id,
        email=user.email,
        version=version,
        secret=settings.signing_secret,
        lifetime=timedelta(days=settings.jwt_expire_days),
    )
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/me", response_model=UserPublic)
async def get_me(user: CurrentUser) -> UserPublic:
    return user


@router.patch("/me", response_model=UserPublic)
async def update_me(body: ProfileUpdate, user: CurrentUser, db: Db) -> UserPublic:
    """Change the profile: the time zone "today", "overdue" and quick-add dates are judged in."""
    return await service.update_profile(db, user_id=user.id, timezone=body.timezone)


@router.post("/logout", status_code=NO_CONTENT)
async def logout(session: CurrentSession, db: Db) -> Response:
    """This token is refused from now on, by every process; the user's other tokens keep working."""
    expires_at = datetime.fromtimestamp(session.token.exp, UTC)
    await service.revoke_token(db, user_id=session.user.id, jti=session.token.jti, expires_at=expires_at)
    return Response(status_code=NO_CONTENT)


@router.post("/logout-all", status_code=NO_CONTENT)
async def logout_all(user: CurrentUser, db: Db) -> Response:
    """Every token of this user issued so far is refused."""
    await service.revoke_all_tokens(db, user_id=user.id)
    return Response(status_code=NO_CONTENT)


@router.post(
    "/password", status_code=NO_CONTENT, responses={400: {"description": "Wrong password"}, **LIMITED}
)
async def change_password(
    body: PasswordChange, user: CurrentUser, db: Db, hasher: Hasher, limits: Limits, address: ClientAddress
) -> Response:
    """New password (signup rules); every token issued before the change is refused."""
    await _check_password(db, hasher, limits, address, user, body.current_password)
    await service.change_password(db, hasher, user_id=user.id, new_password=body.new_password)
    return Response(status_code=NO_CONTENT)


@router.delete("/me", status_code=NO_CONTENT, responses={400: {"description": "Wrong password"}, **LIMITED})
async def delete_account(
    body: AccountDeletion, user: CurrentUser, db: Db, hasher: Hasher, limits: Limits, address: ClientAddress
) -> Response:
    """The account and all its tasks are deleted; its tokens are refused; the email is free again."""
    await _check_password(db, hasher, limits, address, user, body.password)
    await service.delete(db, user_id=user.id)
    return Response(status_code=NO_CONTENT)


async def _check_password(
    db: Db, hasher: Hasher, limits: Limits, address: str, user: UserPublic, password: str
) -> None:
    """A wrong password here counts as a failed login for this account and address."""
    await limits.reserve_attempt(user.email, address)
    await service.check_password(db, hasher, user_id=user.id, password=password)
    await limits.clear_failures(user.email, address)


async def _read_login(request: Request) -> LoginRequest:
    """JSON `{"email", "password"}` sent as application/json, or the OAuth2 password form
    (`username`, `password`) that /docs sends. Anything else is 415: a web page can post text/plain
    without a CORS preflight, and its body must not be read as JSON."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    if content_type in FORM_TYPES:
        form = await request.form()
        data = {"email": form.get("username", form.get("email")), "password": form.get("password")}
    elif content_type != "application/json":
        raise UnsupportedMediaType("Send the credentials as JSON (application/json) or as a form")
    else:
        try:
            data = json.loads(await request.body())
        except (ValueError, RecursionError):  # RecursionError: nested too deeply to parse
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "Request body must be valid JSON"}]
            ) from None
    try:
        return LoginRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
