import { nextTick, ref, shallowRef, type Ref } from 'vue'
import { ApiError, asApiError, type FieldError } from '../api'

/**
 * Moves focus to the first field of `form` marked invalid, once the marks are on screen; with none
 * marked (a wrong password, a server that could not be reached), to the form's alert that says why.
 */
export async function focusFirstInvalid(form: HTMLFormElement | null): Promise<void> {
  await nextTick()
  ;(form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('[role="alert"]'))?.focus()
}

/**
 * A form sent to the API: a second submit while one runs is ignored, what `check` finds wrong is
 * said before asking, and any failure, the check's or the API's, is shown (`error`) with focus on
 * the first field it marks. `onFail` runs with each new failure, before focus moves.
 */
export function useFormSubmit(form: Ref<HTMLFormElement | null>, onFail?: () => void) {
  const busy = ref(false)
  const error = shallowRef<ApiError | null>(null)

  async function fail(failure: ApiError): Promise<void> {
    error.value = failure
    onFail?.()
    await focusFirstInvalid(form.value)
  }

  async function submit(check: () => FieldError[], send: () => Promise<void>): Promise<void> {
    if (busy.value) return
    const errors = check()
    if (errors.length) return fail(new ApiError(400, 'Check the fields marked below.', errors))
    busy.value = true
    error.value = null
    try {
      await send()
    } catch (err) {
      await fail(asApiError(err))
    } finally {
      busy.value = false
    }
  }

  return { busy, error, submit }
}
