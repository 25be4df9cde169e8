"""What several funds share: the fund account's roll-forward and subsidy rules (``accounts``) and the statutory
retirement rules of the employee schemes (``statutory``). Not a fund itself."""
