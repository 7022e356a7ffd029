"""/auth: sign up, log in (JSON or OAuth2 form), who am I."""

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from todo_app.deps import CurrentUser, Db, Hasher, SettingsDep
from todo_app.security import create_access_token
from todo_app.users import service
from todo_app.users.models import LoginRequest, SignupRequest, TokenResponse, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LOGIN_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": LoginRequest.model_json_schema()},
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


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
async def signup(body: SignupRequest, db: Db, hasher: Hasher) -> UserPublic:
    return await service.create(db, hasher, email=body.email, password=body.password)


@router.post(
    "/login",
    response_model=TokenResponse,
    openapi_extra={"requestBody": LOGIN_BODY},
    responses={401: {"description": "Incorrect email or password"}},
)
async def login(request: Request, db: Db, hasher: Hasher, settings: SettingsDep) -> TokenResponse:
    credentials = await _read_login(request)
    user = await service.authenticate(db, hasher, email=credentials.email, password=credentials.password)
    issued = create_access_token(
        user_id=user.id,
        email=user.email,
        secret=settings.jwt_secret.get_secret_value(),
        lifetime=timedelta(days=settings.jwt_expire_days),
    )
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/me", response_model=UserPublic)
async def me(user: CurrentUser) -> UserPublic:
    return user


async def _read_login(request: Request) -> LoginRequest:
    """JSON `{"email", "password"}`, or the OAuth2 password form (`username`, `password`) /docs sends."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    if content_type in FORM_TYPES:
        form = await request.form()
        data = {"email": form.get("username", form.get("email")), "password": form.get("password")}
    else:
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "Request body must be valid JSON"}]
            ) from None
    try:
        return LoginRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
