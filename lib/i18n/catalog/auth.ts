// Signing in, tokens, sessions, permissions and users.
import type { Templates, Translation } from "./types";

export const en = {
  "auth.invalidCredentials": "Email or password is incorrect",
  "auth.tokenExpired": "The access token has expired",
  "auth.refreshInvalid": "The refresh token is not valid",
  "auth.refreshExpired": "The refresh token has expired, log in again",
  "auth.refreshReused": "The refresh token was already used; the session has been ended",
  "auth.sessionEnded": "The session has ended, log in again",
  "auth.userDisabled": "This user can no longer sign in",
  "auth.tooManyAttempts": "Too many attempts, try again later",
  "auth.tooManyLogins": "Too many login attempts, try again later",
  "auth.loginUnavailable": "Signing in is unavailable for a moment; try again",
  "auth.ownUserOnly": "You can only act on your own user",

  "users.emailTaken": "A user with this email already exists",
  "users.adminOnlyField": (p: { field: string }) => `Only an admin can change ${p.field}`,
  "users.currentPasswordNeeded": "Changing your own password needs your current one in current_password",
  "users.wrongCurrentPassword": "The current password is not correct",
  "users.tooManyWrongPasswords": "Too many wrong current passwords, try again later",
  "users.lastAdmin": "This is the last active admin; make another user admin first",
} satisfies Templates;

export const es: Translation<typeof en> = {
  "auth.invalidCredentials": "El correo electrónico o la contraseña son incorrectos",
  "auth.tokenExpired": "El token de acceso expiró",
  "auth.refreshInvalid": "El token de actualización no es válido",
  "auth.refreshExpired": "El token de actualización expiró; inicie sesión de nuevo",
  "auth.refreshReused": "El token de actualización ya se había usado; la sesión se cerró",
  "auth.sessionEnded": "La sesión terminó; inicie sesión de nuevo",
  "auth.userDisabled": "Este usuario ya no puede iniciar sesión",
  "auth.tooManyAttempts": "Demasiados intentos; inténtelo de nuevo más tarde",
  "auth.tooManyLogins": "Demasiados intentos de inicio de sesión; inténtelo de nuevo más tarde",
  "auth.loginUnavailable": "El inicio de sesión no está disponible por un momento; inténtelo de nuevo",
  "auth.ownUserOnly": "Solo puede actuar sobre su propio usuario",

  "users.emailTaken": "Ya existe un usuario con este correo electrónico",
  "users.adminOnlyField": (p) => `Solo un administrador puede cambiar ${p.field}`,
  "users.currentPasswordNeeded": "Para cambiar su propia contraseña necesita la actual en current_password",
  "users.wrongCurrentPassword": "La contraseña actual no es correcta",
  "users.tooManyWrongPasswords": "Demasiados intentos con una contraseña actual incorrecta; inténtelo de nuevo más tarde",
  "users.lastAdmin": "Este es el último administrador activo; primero haga administrador a otro usuario",
};
